package io.echopair.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SenderIdTest {

  @Test
  @DisplayName("a sender id reads as 16 lower-case hex digits, zero-padded, a negative one too")
  void sixteenHexDigits() {
    assertThat(SenderId.text(0xc0ffee00L)).isEqualTo("00000000c0ffee00");
    assertThat(SenderId.text(-1L)).isEqualTo("ffffffffffffffff");
    assertThat(SenderId.text(0L)).isEqualTo("0000000000000000");
  }
}
