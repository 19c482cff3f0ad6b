package io.echopair.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * Turns received bytes into text that is safe in one log line: it can neither break the line nor hide bytes.
 *
 * <p>UTF-8 text is kept; {@code \n}, {@code \r}, {@code \t} and the backslash are escaped as in Java, other control
 * characters as {@code \}{@code u00XX}, and bytes that are not valid UTF-8 as {@code \xNN}.
 */
public final class PrintableText {

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
        out.append(String.format("\\x%02X", in.get() & 0xFF));
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
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
