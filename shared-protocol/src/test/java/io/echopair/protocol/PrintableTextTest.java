package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrintableTextTest {

  @Test
  @DisplayName("plain ASCII comes out as it is")
  void plainAscii() {
    assertThat(escape("This Msg From Client")).isEqualTo("This Msg From Client");
  }

  @Test
  @DisplayName("letters of any script, emoji and their variation selectors are kept")
  void visibleTextKept() {
    assertThat(escape("é 가 שלום مرحبا 😀 ❤\uFE0F 👍🏽")).isEqualTo("é 가 שלום مرحبا 😀 ❤\uFE0F 👍🏽");
  }

  @Test
  @DisplayName("a right-to-left override cannot reverse the rest of the log line")
  void bidiOverrideEscaped() {
    assertThat(escape("invoice \u202Efdp.exe")).isEqualTo("invoice \\u202Efdp.exe");
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(strings = {"00AD", "061C", "200B", "200C", "200D", "200E", "200F", "202A", "202B", "202C", "202D",
      "202E", "2060", "2066", "2067", "2068", "2069", "FEFF", "FFF9"})
  @DisplayName("each format character that hides or reorders text is escaped")
  void formatCharactersEscaped(String hex) {
    String c = String.valueOf((char) Integer.parseInt(hex, 16));
    assertThat(escape("a" + c + "b")).isEqualTo("a\\u" + hex + "b");
  }

  @Test
  @DisplayName("a format character above U+FFFF (a tag character) is escaped as its two UTF-16 halves")
  void supplementaryFormatEscaped() {
    String tagA = new String(Character.toChars(0xE0041));
    assertThat(escape("x" + tagA + "y")).isEqualTo("x\\uDB40\\uDC41y");
  }

  @Test
  @DisplayName("C1 controls, line and paragraph separators and noncharacters are escaped")
  void otherInvisiblesEscaped() {
    assertThat(escape("a\u0085b\u2028c\u2029d\uFFFFe")).isEqualTo("a\\u0085b\\u2028c\\u2029d\\uFFFFe");
  }

  @Test
  @DisplayName("an unpaired surrogate in a String is escaped, a paired one kept")
  void unpairedSurrogateEscaped() {
    assertThat(PrintableText.escape("a\uD83Db\uDE00c\uD83D\uDE00")).isEqualTo("a\\uD83Db\\uDE00c\uD83D\uDE00");
  }

  @Test
  @DisplayName("UTF-8 encodings of surrogates are not UTF-8: their bytes are shown")
  void encodedSurrogateBytesShown() {
    byte[] bytes = {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b'};
    assertThat(PrintableText.escape(bytes, 0, bytes.length)).isEqualTo("a\\xED\\xA0\\x80b");
  }

  private static String escape(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return PrintableText.escape(bytes, 0, bytes.length);
  }
}
