package io.echopair.protocol;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629) without decoding them or allocating: no stray continuation
 * bytes, no truncated sequences, no overlong forms, no surrogates, nothing above U+10FFFF.
 */
final class Utf8 {

  private Utf8() {
  }

  static boolean isWellFormed(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int length;
      int min;
      int max = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        length = 2;
        min = 0x80;
      } else if (b >= 0xE0 && b <= 0xEF) {
        length = 3;
        // E0 would be overlong below A0; ED above 9F would be a surrogate
        min = b == 0xE0 ? 0xA0 : 0x80;
        max = b == 0xED ? 0x9F : 0xBF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        length = 4;
        // F0 would be overlong below 90; F4 above 8F would pass U+10FFFF
        min = b == 0xF0 ? 0x90 : 0x80;
        max = b == 0xF4 ? 0x8F : 0xBF;
      } else {
        return false;
      }
      if (i + length > to) {
        return false;
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < min || second > max) {
        return false;
      }
      for (int k = 2; k < length; k++) {
        int next = bytes[i + k] & 0xFF;
        if (next < 0x80 || next > 0xBF) {
          return false;
        }
      }
      i += length;
    }
    return true;
  }
}
