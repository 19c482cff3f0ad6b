package io.echopair.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * Turns received bytes into text that is safe in one log line: it can neither break the line nor hide, reorder or
 * disguise what was sent.
 *
 * <p>UTF-8 text is kept; {@code \n}, {@code \r}, {@code \t} and the backslash are escaped as in Java. Every other code
 * point that a log viewer would not show as itself is written {@code \}{@code uXXXX} (a code point above U+FFFF as its
 * two UTF-16 halves, as in Java source): control characters, line and paragraph separators, format characters
 * (bidirectional overrides and isolates such as U+202E, zero-width characters such as U+200B, U+FEFF, the soft hyphen,
 * tag characters), unpaired surrogates, and code points this Java does not know, which a newer viewer may treat as
 * format characters. Bytes that are not valid UTF-8 are written {@code \xNN}.
 */
public final class PrintableText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PrintableText() {
  }

  public static String escape(byte[] bytes, int offset, int length) {
    if (isPlainAscii(bytes, offset, length)) {
      return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
    StringBuilder out = new StringBuilder(length + 16);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    // UTF-8 never yields more chars than bytes
    CharBuffer decoded = CharBuffer.allocate(length);
    while (true) {
      CoderResult result = decoder.decode(in, decoded, true);
      appendEscaped(decoded.flip(), out);
      decoded.clear();
      if (result.isUnderflow()) {
        return out.toString();
      }
      // Malformed or unmappable: show the offending bytes and go on after them
      for (int i = 0; i < result.length(); i++) {
        out.append("\\x");
        appendHex(in.get() & 0xFF, 2, out);
      }
    }
  }

  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    appendEscaped(CharBuffer.wrap(text), out);
    return out.toString();
  }

  private static boolean isPlainAscii(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      int b = bytes[i];
      if (b < 0x20 || b >= 0x7F || b == '\\') {
        return false;
      }
    }
    return true;
  }

  private static void appendEscaped(CharBuffer chars, StringBuilder out) {
    while (chars.hasRemaining()) {
      char c = chars.get();
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isHighSurrogate(c) && chars.hasRemaining() && Character.isLowSurrogate(chars.get(chars.position()))) {
            appendCodePoint(c, chars.get(), out);
          } else if (isHidden(c)) {
            appendUnicodeEscape(c, out);
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  private static void appendCodePoint(char high, char low, StringBuilder out) {
    if (isHidden(Character.toCodePoint(high, low))) {
      appendUnicodeEscape(high, out);
      appendUnicodeEscape(low, out);
    } else {
      out.append(high).append(low);
    }
  }

  /** Whether a viewer would not show the code point as a character of its own: it would act on it, or show nothing. */
  static boolean isHidden(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE, Character.UNASSIGNED -> true;
      default -> false;
    };
  }

  private static void appendUnicodeEscape(char c, StringBuilder out) {
    out.append("\\u");
    appendHex(c, 4, out);
  }

  private static void appendHex(int value, int digits, StringBuilder out) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out.append(HEX[(value >> shift) & 0xF]);
    }
  }
}
