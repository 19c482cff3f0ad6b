package io.echopair.runtime.launch;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on one listening socket: when accepting a connection fails (out of file descriptors, most often), logs one
 * ERROR line a minute that says so, stops accepting for a second so as not to spin, and says when accepting works
 * again. Without it Netty logs a stack trace every second.
 *
 * <p>Clients that connect meanwhile wait in the kernel's accept queue and are served once descriptors are free.
 */
final class AcceptFailures extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(AcceptFailures.class);

  static final long RETRY_MILLIS = 1000;
  static final long REPORT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Read while descriptors are free: reading it later may need one (loading the management library does). */
  private static final long DESCRIPTOR_LIMIT = descriptorLimit();

  /** How Netty's native transports word a failed system call ({@code Errors.NativeIoException}). */
  private static final Pattern NATIVE_FAILURE = Pattern.compile(".*\\(\\.\\.\\) failed with error\\(-?\\d+\\): (.*)");

  // On the listening socket's event loop only
  private long failures;
  private long unreported;
  private long lastReportNanos;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
    if (failures > 0) {
      LOG.info("Accepting connections on {} again, after {} failed {}", where(ctx), failures,
          failures == 1 ? "attempt" : "attempts");
      failures = 0;
      unreported = 0;
    }
    ctx.fireChannelRead(accepted);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    failures++;
    unreported++;
    long now = System.nanoTime();
    if (failures == 1 || now - lastReportNanos >= REPORT_INTERVAL_NANOS) {
      lastReportNanos = now;
      LOG.error("Cannot accept connections on {}: {}{}; new clients wait in the kernel's queue, retrying every second{}",
          where(ctx), systemMessage(cause), descriptorLimit(cause),
          unreported > 1 ? " (" + unreported + " failed attempts since the last line)" : "");
      unreported = 0;
    }
    // Like Netty's own acceptor: pause accepting briefly rather than fail again at once
    ctx.channel().config().setAutoRead(false);
    ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** {@code 127.0.0.1:7777}: the listening address, as the server's own lines name it. */
  private static String where(ChannelHandlerContext ctx) {
    return ctx.channel().localAddress() instanceof InetSocketAddress address
        ? address.getHostString() + ":" + address.getPort() : String.valueOf(ctx.channel().localAddress());
  }

  /**
   * {@code Too many open files}: the system's words, as NIO reports them, also when a native transport prefixes them
   * ({@code io_uring accept(..) failed with error(-24): Too many open files}).
   */
  private static String systemMessage(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    Matcher nativeFailure = NATIVE_FAILURE.matcher(message);
    return nativeFailure.matches() ? nativeFailure.group(1) : message;
  }

  /** {@code " (the limit is 1024 open files: ulimit -n)"} when the failure is about file descriptors. */
  private static String descriptorLimit(Throwable cause) {
    if (DESCRIPTOR_LIMIT <= 0 || !String.valueOf(cause.getMessage()).contains("open files")) {
      return "";
    }
    return " (the limit is " + DESCRIPTOR_LIMIT + " open files: ulimit -n)";
  }

  private static long descriptorLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : -1;
  }
}
