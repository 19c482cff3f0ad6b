package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AcceptFailuresTest {

  @RegisterExtension
  final LogCapture log = LogCapture.of(AcceptFailures.class);

  @Test
  @DisplayName("Running out of file descriptors is one ERROR line a minute, accepting pauses a second, then resumes")
  void outOfDescriptors() {
    EmbeddedChannel listening = new EmbeddedChannel(new AcceptFailures());
    for (int i = 0; i < 5; i++) {
      listening.pipeline().fireExceptionCaught(new IOException("Too many open files"));
      assertThat(listening.config().isAutoRead()).as("accepting paused").isFalse();
      listening.advanceTimeBy(AcceptFailures.RETRY_MILLIS, TimeUnit.MILLISECONDS);
      listening.runScheduledPendingTasks();
      assertThat(listening.config().isAutoRead()).as("accepting again after a second").isTrue();
    }
    assertThat(log.lines()).singleElement().asString()
        .startsWith("ERROR Cannot accept connections on embedded: Too many open files (the limit is ")
        .endsWith(" open files: ulimit -n); new clients wait in the kernel's queue, retrying every second");

    // A connection accepted: it says so once, and a later failure is reported again
    listening.pipeline().fireChannelRead("accepted child");
    assertThat((Object) listening.readInbound()).as("the accepted channel goes on").isEqualTo("accepted child");
    assertThat(log.lines()).hasSize(2).last().asString()
        .isEqualTo("INFO Accepting connections on embedded again, after 5 failed attempts");
    listening.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    assertThat(log.countContaining("Cannot accept")).isEqualTo(2);
    assertThat(listening.finish()).isFalse();
  }

  @Test
  @DisplayName("A native transport's failure is worded as NIO words it: the system's message, without the call")
  void nativeTransportFailure() {
    // Loads Netty's native library, whose errno texts the exception takes
    IoUring.ensureAvailability();
    EmbeddedChannel listening = new EmbeddedChannel(new AcceptFailures());
    Errors.NativeIoException failure = new Errors.NativeIoException("io_uring accept", -24);

    listening.pipeline().fireExceptionCaught(failure);

    assertThat(failure.getMessage()).isEqualTo("io_uring accept(..) failed with error(-24): Too many open files");
    assertThat(log.lines()).singleElement().asString()
        .startsWith("ERROR Cannot accept connections on embedded: Too many open files (the limit is ");
    assertThat(listening.config().isAutoRead()).as("accepting paused").isFalse();
  }

  @Test
  @DisplayName("Other failures pass on unchanged")
  void otherFailuresPassOn() {
    EmbeddedChannel listening = new EmbeddedChannel(new AcceptFailures());
    IllegalStateException bug = new IllegalStateException("not an accept failure");
    listening.pipeline().fireExceptionCaught(bug);
    assertThatThrownBy(listening::checkException).as("passed on to the end of the pipeline").isSameAs(bug);
    assertThat(log.lines()).isEmpty();
    assertThat(listening.config().isAutoRead()).isTrue();
  }
}
