package io.echopair.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Failures")
class FailuresTest {

  @Test
  @DisplayName("a failure's message is its own, or its class's simple name when it has none or a blank one")
  void messageOrClassName() {
    assertThat(Failures.message(new IOException("Connection reset by peer"))).isEqualTo("Connection reset by peer");
    assertThat(Failures.message(new ClosedChannelException())).isEqualTo("ClosedChannelException");
    assertThat(Failures.message(new IOException("  "))).isEqualTo("IOException");
  }

  @Test
  @DisplayName("the root line is the first line of the innermost cause's message, without the wrappers' words")
  void rootCauseFirstLine() {
    Throwable wrapped = new IllegalStateException("wrapper",
        new UncheckedIOException("middle", new IOException("  bad XML at line 3\n\tat some.Parser\n")));

    assertThat(Failures.rootLine(wrapped)).isEqualTo("bad XML at line 3");
    assertThat(Failures.rootLine(new RuntimeException("outer", new ClosedChannelException())))
        .isEqualTo("ClosedChannelException");
    assertThat(Failures.rootLine(new IOException("alone"))).isEqualTo("alone");
  }
}
