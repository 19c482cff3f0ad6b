package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class after which Netty finds a buffer the server handled and never released: every test class of
 * this module runs with it (META-INF/services, junit-platform.properties). The server reads into Netty's pooled
 * buffers and releases them itself, so a path that forgets one (a held read, an echo, a close) leaks pooled memory
 * for good.
 *
 * <p>Each buffer is tracked (PARANOID); after the class, collections make the lost ones unreachable, and the next
 * tracked allocation has Netty log each as a {@code LEAK:} error, which this counts.
 */
public final class NettyLeaks implements BeforeAllCallback, AfterAllCallback {

  private static final Logger DETECTOR = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
  // A lost buffer is reported once it is collected: a few rounds give the collector its chance
  private static final int ROUNDS = 5;

  private final ListAppender<ILoggingEvent> reports = new ListAppender<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    reports.start();
    DETECTOR.addAppender(reports);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      for (int round = 0; round < ROUNDS && reports.list.isEmpty(); round++) {
        System.gc();
        // A tracked allocation makes the detector report what was collected unreleased
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
        probe.release();
      }
      // A lost buffer the server handled has our frames in its records. The tests' own clients lose some of theirs:
      // Vert.x 5.0.7 keeps the reads of a paused NetSocket in its connection's queue (VertxConnection.pending) and
      // does not release them when the connection closes; the server never pauses a NetSocket (ReadGate)
      List<String> leaks = reports.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(line -> line.contains("LEAK") && line.contains("io.echopair.server.")).toList();
      assertThat(leaks).as("Netty buffers never released after %s", context.getDisplayName()).isEmpty();
    } finally {
      DETECTOR.detachAppender(reports);
    }
  }
}
