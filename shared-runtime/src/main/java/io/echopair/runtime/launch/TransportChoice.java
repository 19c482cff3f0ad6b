package io.echopair.runtime.launch;

import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Which transport a jar's Vert.x runs on: NIO, as Vert.x does by default; with {@code --options}
 * {@code "preferNativeTransport": true}, Netty's io_uring, else epoll, else NIO where neither loads, which is never a
 * failure. Vert.x alone would take epoll whenever it loads, but io_uring moved more frames and epoll no more than NIO
 * (docs/BENCHMARKS.md, "Native transports").
 *
 * @param transport   what Vert.x runs on
 * @param description what the start line says: {@code nio}, {@code io_uring}, or with a native one preferred but not
 *                    loaded why, e.g. {@code nio (io_uring does not load here: ...; epoll does not load here: ...)}
 */
record TransportChoice(Transport transport, String description) {

  /** The transport for {@code options}: the first native one that loads here, when they prefer one. */
  static TransportChoice of(VertxOptions options) {
    return options.getPreferNativeTransport() ? firstAvailable(Transport.IO_URING, Transport.EPOLL)
        : new TransportChoice(Transport.NIO, Transport.NIO.name());
  }

  /** The first of {@code candidates} that loads, else NIO; the description says why those before it did not. */
  static TransportChoice firstAvailable(Transport... candidates) {
    List<String> unavailable = new ArrayList<>();
    for (Transport candidate : candidates) {
      // Vert.x has none when Netty's classes for it are missing
      if (candidate == null) {
        continue;
      }
      if (candidate.available()) {
        return new TransportChoice(candidate, described(candidate, unavailable));
      }
      unavailable.add(candidate.name() + " does not load here: " + reason(candidate.unavailabilityCause()));
    }
    return new TransportChoice(Transport.NIO, described(Transport.NIO, unavailable));
  }

  private static String described(Transport chosen, List<String> unavailable) {
    return unavailable.isEmpty() ? chosen.name() : chosen.name() + " (" + String.join("; ", unavailable) + ")";
  }

  /** {@code failed to load the required native library: no netty_transport_native_epoll_x86_64 in ...}. */
  private static String reason(Throwable cause) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = cause; t != null && messages.size() < 3; t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (!messages.contains(message)) {
        messages.add(message);
      }
    }
    return messages.isEmpty() ? "no reason given" : String.join(": ", messages);
  }
}
