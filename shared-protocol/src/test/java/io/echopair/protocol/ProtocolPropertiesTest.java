package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the wire format that must hold for any input, checked on random samples (jqwik). */
class ProtocolPropertiesTest {

  /** What a frame carries, to encode and expect back. */
  record Content(FrameFormat format, String text, long senderId, long sequence, long sentAtMicros, int flags) {
  }

  @Property
  @Label("any split of a byte stream into reads yields the frames of the whole stream, and the same remainder")
  void anySplitYieldsTheSameFrames(@ForAll @IntRange(min = 64, max = 160) int frameSize,
                                   @ForAll("streams") byte[] stream,
                                   @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 1200) Integer> cuts) {
    FrameFormat format = new FrameFormat(frameSize);
    List<Buffer> whole = new ArrayList<>();
    FrameDecoder wholeDecoder = new FrameDecoder(format, frame -> whole.add(frame.copy()));
    wholeDecoder.handle(Buffer.buffer(stream));

    List<Buffer> split = new ArrayList<>();
    FrameDecoder splitDecoder = new FrameDecoder(format, frame -> split.add(frame.copy()));
    int from = 0;
    for (int cut : sortedWithin(cuts, stream.length)) {
      splitDecoder.handle(Buffer.buffer(stream).getBuffer(from, cut));
      from = cut;
    }
    splitDecoder.handle(Buffer.buffer(stream).getBuffer(from, stream.length));

    assertThat(split).isEqualTo(whole).hasSize(stream.length / frameSize);
    assertThat(splitDecoder.bufferedBytes()).isEqualTo(wholeDecoder.bufferedBytes()).isEqualTo(stream.length % frameSize);
  }

  @Property
  @Label("a handler that throws for some frames gets every other frame of any split stream, as decoded whole")
  void failingFramesCostNoOtherFrame(@ForAll("streams") byte[] stream,
                                     @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 1200) Integer> cuts,
                                     @ForAll @Size(max = 6) List<@IntRange(max = 20) Integer> failing) {
    List<Buffer> whole = new ArrayList<>();
    new FrameDecoder(FrameFormat.DEFAULT, frame -> whole.add(frame.copy())).handle(Buffer.buffer(stream));

    List<Buffer> handled = new ArrayList<>();
    int[] ordinal = {0};
    FrameDecoder decoder = new FrameDecoder(FrameFormat.DEFAULT, frame -> {
      if (failing.contains(ordinal[0]++)) {
        throw new IllegalStateException("frame " + (ordinal[0] - 1));
      }
      handled.add(frame.copy());
    });
    int from = 0;
    for (int cut : sortedWithin(cuts, stream.length)) {
      handleIgnoringFailure(decoder, Buffer.buffer(stream).getBuffer(from, cut));
      from = cut;
    }
    handleIgnoringFailure(decoder, Buffer.buffer(stream).getBuffer(from, stream.length));

    List<Buffer> expected = new ArrayList<>();
    for (int i = 0; i < whole.size(); i++) {
      if (!failing.contains(i)) {
        expected.add(whole.get(i));
      }
    }
    assertThat(handled).isEqualTo(expected);
  }

  @Property
  @Label("a frame encoded then decoded gives back its text, sender id, sequence, send time and flags")
  void encodeDecodeRoundTrips(@ForAll("contents") Content content) {
    Frame frame = decodeOne(content);

    assertThat(frame.isTagged()).isTrue();
    assertThat(frame.checksumValid()).isTrue();
    assertThat(frame.text()).isEqualTo(content.text());
    assertThat(frame.senderId()).isEqualTo(content.senderId());
    assertThat(frame.sequence()).isEqualTo(content.sequence());
    assertThat(frame.sentAtMicros()).isEqualTo(content.sentAtMicros());
    assertThat(frame.flags()).isEqualTo(content.flags());
  }

  @Property
  @Label("any single bit flipped in a tagged frame fails its checksum, or untags the frame when it hits the marker")
  void everySingleBitFlipIsDetected(@ForAll("contents") Content content, @ForAll @IntRange(max = 1_000_000) int bit) {
    Buffer good = encode(content);
    int flipped = bit % (good.length() * 8);
    int at = flipped / 8;
    Buffer bad = good.copy().setByte(at, (byte) (good.getByte(at) ^ (1 << (flipped % 8))));

    Frame frame = decodeOne(content.format(), bad);

    int marker = content.format().trailerOffset();
    if (at == marker + FrameFormat.MAGIC_0 || at == marker + FrameFormat.MAGIC_1) {
      assertThat(frame.isTagged()).isFalse();
    } else {
      assertThat(frame.isTagged()).isTrue();
      assertThat(frame.checksumValid()).isFalse();
    }
  }

  @Property
  @Label("the log form of any bytes is one line with no control or format character")
  void printableTextIsOneVisibleLine(@ForAll("texts") byte[] bytes) {
    String printable = PrintableText.escape(bytes, 0, bytes.length);

    assertThat(printable.codePoints()).noneMatch(cp -> switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE -> true;
      default -> false;
    });
    assertThat(printable.lines()).hasSizeLessThanOrEqualTo(1);
  }

  @Property
  @Label("the log form of any bytes hides none of them: unescaping it gives the bytes back")
  void printableTextHidesNothing(@ForAll("texts") byte[] bytes) {
    assertThat(unescape(PrintableText.escape(bytes, 0, bytes.length))).isEqualTo(bytes);
  }

  // ---- samples

  /** Any bytes: the decoder cuts frames without looking at what they hold. */
  @Provide
  Arbitrary<byte[]> streams() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(1200);
  }

  @Provide
  Arbitrary<Content> contents() {
    Arbitrary<FrameFormat> formats = Arbitraries.oneOf(Arbitraries.just(FrameFormat.DEFAULT),
        Arbitraries.integers().between(FrameFormat.MIN_FRAME_SIZE, 300).map(FrameFormat::new));
    Arbitrary<String> texts = codePoints().filter(cp -> cp != 0)
        .list().ofMaxSize(80)
        .map(ProtocolPropertiesTest::codePointsToString);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, 255);
    return Combinators.combine(formats, texts, Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), flags)
        .as((format, text, sender, seq, time, flag) ->
            new Content(format, fitting(text, format), sender, seq, time, flag));
  }

  /** Bytes that are random, or UTF-8 of any code points (format characters included), or both run together. */
  @Provide
  Arbitrary<byte[]> texts() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
    Arbitrary<byte[]> utf8 = codePoints().list().ofMaxSize(30)
        .map(cps -> codePointsToString(cps).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> mixed = Combinators.combine(utf8, random).as(ProtocolPropertiesTest::concat);
    return Arbitraries.oneOf(random, utf8, mixed);
  }

  /** Any code point but a surrogate, often ASCII or one from the blocks where controls and format characters lie. */
  private static Arbitrary<Integer> codePoints() {
    Arbitrary<Integer> invisibleBlocks = Arbitraries.oneOf(
        Arbitraries.integers().between(0x80, 0xAD),       // C1 controls, soft hyphen
        Arbitraries.integers().between(0x0600, 0x061C),   // Arabic number signs, letter mark
        Arbitraries.integers().between(0x2000, 0x206F),   // zero-width, bidi, separators, invisible operators
        Arbitraries.integers().between(0xFE00, 0xFFFF),   // variation selectors, BOM, specials, noncharacters
        Arbitraries.integers().between(0xE0000, 0xE01EF)); // tags, variation selectors supplement
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.integers().between(0, 0x7F)),
        Tuple.of(2, invisibleBlocks),
        Tuple.of(2, Arbitraries.integers().between(0, Character.MAX_CODE_POINT)))
        .filter(cp -> Character.getType(cp) != Character.SURROGATE);
  }

  // ---- helpers

  private static List<Integer> sortedWithin(List<Integer> cuts, int length) {
    return cuts.stream().map(cut -> Math.min(cut, length)).sorted().toList();
  }

  private static void handleIgnoringFailure(FrameDecoder decoder, Buffer read) {
    try {
      decoder.handle(read);
    } catch (IllegalStateException expected) {
      // The frames after the failing one are what this property is about
    }
  }

  private static Buffer encode(Content c) {
    byte[] text = c.format().encodeText(c.text());
    return new FrameEncoder(c.format()).appendFrame(Buffer.buffer(), text, c.senderId(), c.sequence(), c.sentAtMicros(),
        c.flags());
  }

  private static Frame decodeOne(Content content) {
    return decodeOne(content.format(), encode(content));
  }

  private static Frame decodeOne(FrameFormat format, Buffer bytes) {
    Frame[] decoded = new Frame[1];
    new FrameDecoder(format, frame -> decoded[0] = frame).handle(bytes);
    assertThat(decoded[0]).isNotNull();
    return decoded[0];
  }

  /** The longest prefix of {@code text}, in whole code points, that a frame of {@code format} holds. */
  private static String fitting(String text, FrameFormat format) {
    StringBuilder fits = new StringBuilder();
    int bytes = 0;
    for (int cp : text.codePoints().toArray()) {
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > format.textCapacity()) {
        break;
      }
      bytes += size;
      fits.appendCodePoint(cp);
    }
    return fits.toString();
  }

  private static String codePointsToString(List<Integer> codePoints) {
    StringBuilder text = new StringBuilder();
    codePoints.forEach(text::appendCodePoint);
    return text.toString();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** The bytes PrintableText's output stands for: its escapes undone, its characters in UTF-8. */
  private static byte[] unescape(String printable) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringBuilder chars = new StringBuilder();
    for (int i = 0; i < printable.length(); i++) {
      char c = printable.charAt(i);
      if (c != '\\') {
        chars.append(c);
        continue;
      }
      char kind = printable.charAt(++i);
      switch (kind) {
        case 'n' -> chars.append('\n');
        case 'r' -> chars.append('\r');
        case 't' -> chars.append('\t');
        case '\\' -> chars.append('\\');
        case 'u' -> {
          chars.append((char) Integer.parseInt(printable.substring(i + 1, i + 5), 16));
          i += 4;
        }
        case 'x' -> {
          bytes.writeBytes(chars.toString().getBytes(StandardCharsets.UTF_8));
          chars.setLength(0);
          bytes.write(Integer.parseInt(printable.substring(i + 1, i + 3), 16));
          i += 2;
        }
        default -> throw new AssertionError("unknown escape \\" + kind + " in " + printable);
      }
    }
    bytes.writeBytes(chars.toString().getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }
}
