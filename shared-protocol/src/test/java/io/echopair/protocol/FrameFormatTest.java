package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameFormatTest {

  @Test
  @DisplayName("a 100-byte frame holds 67 bytes of text, one NUL and a 32-byte trailer")
  void defaultLayout() {
    assertThat(FrameFormat.DEFAULT.frameSize()).isEqualTo(100);
    assertThat(FrameFormat.DEFAULT.textCapacity()).isEqualTo(67);
    assertThat(FrameFormat.DEFAULT.trailerOffset()).isEqualTo(68);
  }

  @Test
  @DisplayName("text that fills the capacity exactly is accepted")
  void textAtCapacity() {
    String text = "x".repeat(67);
    assertThat(FrameFormat.DEFAULT.encodeText(text)).hasSize(67);
  }

  @Test
  @DisplayName("text one byte over the capacity is rejected with its size and the limit")
  void textTooLong() {
    assertThatThrownBy(() -> FrameFormat.DEFAULT.encodeText("x".repeat(68)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message is 68 bytes in UTF-8; a 100-byte frame holds at most 67");
  }

  @Test
  @DisplayName("the capacity counts UTF-8 bytes, not characters")
  void capacityInBytes() {
    String korean = "가".repeat(23); // 3 bytes each: 69 bytes in 23 characters
    assertThat(korean.getBytes(StandardCharsets.UTF_8)).hasSize(69);
    assertThatThrownBy(() -> FrameFormat.DEFAULT.encodeText(korean))
        .hasMessageContaining("69 bytes in UTF-8");
    assertThat(FrameFormat.DEFAULT.encodeText("가".repeat(22))).hasSize(66);
  }

  @Test
  @DisplayName("text with a NUL character is rejected, since NUL ends the text on the wire")
  void nulRejected() {
    assertThatThrownBy(() -> FrameFormat.DEFAULT.encodeText("ab\0cd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message contains a NUL character at index 2: NUL ends the text on the wire");
  }

  @Test
  @DisplayName("frame sizes outside 64..65536 are rejected")
  void frameSizeBounds() {
    assertThatThrownBy(() -> new FrameFormat(63)).hasMessageContaining("frame size 63 is out of range");
    assertThatThrownBy(() -> new FrameFormat(65_537)).hasMessageContaining("frame size 65537 is out of range");
    assertThat(new FrameFormat(64).textCapacity()).isEqualTo(31);
  }
}
