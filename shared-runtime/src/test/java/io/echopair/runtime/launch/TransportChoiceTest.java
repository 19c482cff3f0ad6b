package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TransportChoice")
class TransportChoiceTest {

  @Test
  @DisplayName("runs on NIO when the options do not prefer a native transport")
  void nioWhenNotPreferred() {
    TransportChoice choice = TransportChoice.of(new VertxOptions().setPreferNativeTransport(false));

    assertThat(choice.transport()).isSameAs(Transport.NIO);
    assertThat(choice.description()).isEqualTo("nio");
  }

  @Test
  @DisplayName("takes the first transport that loads, and says why those before it did not")
  void firstAvailable() {
    Transport uring = new FakeTransport("io_uring", new IllegalStateException("io_uring_setup failed: EPERM"));
    Transport epoll = new FakeTransport("epoll", null);

    assertThat(TransportChoice.firstAvailable(epoll, uring).transport()).isSameAs(epoll);
    assertThat(TransportChoice.firstAvailable(epoll, uring).description()).isEqualTo("epoll");
    assertThat(TransportChoice.firstAvailable(null, uring, epoll).transport()).isSameAs(epoll);
    assertThat(TransportChoice.firstAvailable(null, uring, epoll).description())
        .isEqualTo("epoll (io_uring does not load here: io_uring_setup failed: EPERM)");
  }

  @Test
  @DisplayName("falls back to NIO, never fails, when no native transport loads, and says why in one line")
  void nioWhenNoneLoads() {
    Transport uring = new FakeTransport("io_uring", new IllegalStateException("io_uring_setup failed: EPERM"));
    Transport epoll = new FakeTransport("epoll", new UnsatisfiedLinkError("failed to load the required native library")
        .initCause(new IOException("could not load a native library: netty_transport_native_epoll_x86_64")));

    TransportChoice choice = TransportChoice.firstAvailable(uring, epoll);

    assertThat(choice.transport()).isSameAs(Transport.NIO);
    assertThat(choice.description()).isEqualTo("nio (io_uring does not load here: io_uring_setup failed: EPERM; "
        + "epoll does not load here: failed to load the required native library: could not load a native library: "
        + "netty_transport_native_epoll_x86_64)");
    assertThat(TransportChoice.firstAvailable().description()).isEqualTo("nio");
  }

  /** A transport that loads, or does not for {@code cause}. */
  private record FakeTransport(String name, Throwable unavailabilityCause) implements Transport {

    @Override
    public boolean available() {
      return unavailabilityCause == null;
    }

    @Override
    public io.vertx.core.spi.transport.Transport implementation() {
      throw new UnsupportedOperationException("never run");
    }
  }
}
