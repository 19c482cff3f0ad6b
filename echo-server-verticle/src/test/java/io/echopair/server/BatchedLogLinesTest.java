package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.AbstractMatcherFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.echopair.protocol.FrameDecoder;
import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.logging.LogFormatEncoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The Recv Msg lines logged a read at a time, as they are with conf/logback.xml's appenders (an asynchronous appender
 * in front of one writing with {@link LogFormatEncoder}): the same bytes as logged one by one, and none lost when the
 * log is slow.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BatchedLogLinesTest extends ServerTestSupport {

  /** A pattern a user might choose: no time, so that two runs write the same bytes. */
  private static final String PATTERN = "%-5level [%thread] %logger - %msg %kvp%n";
  /** More lines than the test's queue takes while the log is stuck: 16 batches counted, each up to 256 lines. */
  private static final int FLOOD_FRAMES = 6000;
  /** Frames of the first read in sameBytesAsOneByOne: a full batch and a few more. */
  private static final int FIRST_READ = FrameLines.LINES_PER_BATCH + 6;
  private static final int PINGS = 30;

  private final Logger intake = context().getLogger(FrameIntake.class);
  private final StuckStream stream = new StuckStream();
  private AsyncAppender async;

  /** FrameIntake's lines go only to an asynchronous appender in front of a writer on a stream stuck until released. */
  @BeforeEach
  void logThroughAStuckStream() {
    async = asyncWriter(stream, false);
    intake.addAppender(async);
    // The test configuration's console appender would take each line alone
    intake.setAdditive(false);
  }

  @AfterEach
  void detach() {
    stream.release();
    intake.detachAppender(async);
    intake.setAdditive(true);
    async.stop();
  }

  @Test
  @DisplayName("Lines batched a read at a time are written byte for byte as the same lines logged one by one, in order")
  void sameBytesAsOneByOne() {
    stream.release();
    Buffer reads = Buffer.buffer()
        .appendBuffer(frames(0xABCL, 1, FIRST_READ, 0))
        .appendBuffer(tagged("{} and \\{} \" ünï", 0xABCL, FIRST_READ + 1))
        .appendBuffer(seedFrame("This Msg From Client"))
        .appendBuffer(tagged(new byte[] {(byte) 0xC3, 0x28, 'x'}, 0xABCL, FIRST_READ + 2));
    Logger lines = context().getLogger("echopair.test.lines");
    lines.setAdditive(false);

    ByteArrayOutputStream batched = new ByteArrayOutputStream();
    CountingStream batchedWrites = new CountingStream(batched);
    AsyncAppender shipped = asyncWriter(batchedWrites, false);
    lines.addAppender(shipped);
    logEachFrame(lines, reads);
    shipped.stop();
    lines.detachAppender(shipped);

    ByteArrayOutputStream alone = new ByteArrayOutputStream();
    CountingStream aloneWrites = new CountingStream(alone);
    // A filter on the writer: logback would judge a batch as one event there, so the lines go one by one
    AsyncAppender filtered = asyncWriter(aloneWrites, true);
    lines.addAppender(filtered);
    logEachFrame(lines, reads);
    filtered.stop();
    lines.detachAppender(filtered);

    String written = batched.toString(StandardCharsets.UTF_8);
    assertThat(written).isEqualTo(alone.toString(StandardCharsets.UTF_8));
    assertThat(written.lines()).hasSize(FIRST_READ + 3).first().asString()
        .isEqualTo("INFO  [main] echopair.test.lines - Recv Msg : frame 1 (peer 127.0.0.1:7, seq=1) ");
    // PrintableText doubles a backslash
    assertThat(written.lines().toList().get(FIRST_READ))
        .endsWith(" - Recv Msg : {} and \\\\{} \" ünï (peer 127.0.0.1:7, seq=" + (FIRST_READ + 1) + ") ");
    assertThat(aloneWrites.writes).as("writes of the lines logged one by one").isEqualTo(FIRST_READ + 3);
    assertThat(batchedWrites.writes)
        .as("writes of the batched lines: a full batch, the rest of the first read, the second read").isEqualTo(3);
  }

  @Test
  @DisplayName("While the log is stuck the flooder waits and a client sending one frame at a time is served; "
      + "afterwards every line is written, a read's lines at a time")
  void nothingLostWhenTheLogIsSlow(Vertx vertx, VertxTestContext ctx) {
    Buffer flood = taggedFrames("flood", 0xF100D, FLOOD_FRAMES);
    deploy(vertx, new JsonObject()).compose(server -> floodPastAStuckLog(server, flood, PINGS, ctx, stream::release)
        .compose(echoed -> when(vertx, () -> stream.lines("Recv Msg : ") == FLOOD_FRAMES + PINGS))
    ).onComplete(ctx.succeeding(written -> ctx.verify(() -> {
      String log = stream.text();
      for (int seq = 1; seq <= FLOOD_FRAMES; seq += 997) {
        assertThat(log).contains("Recv Msg : flood " + seq + " (peer ");
      }
      assertThat(stream.writes()).as("writes, a read's lines each").isLessThan(FLOOD_FRAMES / 10);
      ctx.completeNow();
    })));
  }

  /** Logs each frame of {@code bytes} as the intake does, in two reads: {@link #FIRST_READ} frames, then the rest. */
  private static void logEachFrame(Logger logger, Buffer bytes) {
    FrameLines lines = new FrameLines(logger, "127.0.0.1:7");
    FrameDecoder decoder = new FrameDecoder(FrameFormat.DEFAULT, lines::add);
    for (Buffer read : pieces(bytes, FIRST_READ * FrameFormat.DEFAULT.frameSize(), 300)) {
      decoder.handle(read);
      lines.flush();
    }
  }

  private static AsyncAppender asyncWriter(OutputStream out, boolean filtered) {
    LogFormatEncoder encoder = new LogFormatEncoder();
    encoder.setContext(context());
    encoder.setPattern(PATTERN);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> writer = new OutputStreamAppender<>();
    writer.setContext(context());
    writer.setEncoder(encoder);
    writer.setOutputStream(out);
    if (filtered) {
      AbstractMatcherFilter<ILoggingEvent> neutral = new AbstractMatcherFilter<>() {
        @Override
        public FilterReply decide(ILoggingEvent event) {
          return FilterReply.NEUTRAL;
        }
      };
      neutral.start();
      writer.addFilter(neutral);
    }
    writer.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context());
    // Small, as in HostileLogFloodTest: at least twice the lines of the largest read
    async.setQueueSize(2048);
    async.setDiscardingThreshold(0);
    async.addAppender(writer);
    async.start();
    return async;
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  /** Counts the writes that reach a stream. */
  private static final class CountingStream extends OutputStream {
    private final ByteArrayOutputStream out;
    private int writes;

    CountingStream(ByteArrayOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      writes++;
      out.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      writes++;
      out.write(bytes, offset, length);
    }
  }

  /** A log file that blocks its first write until released, then keeps what is written. */
  private static final class StuckStream extends OutputStream {
    private final CountDownLatch released = new CountDownLatch(1);
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AtomicInteger writes = new AtomicInteger();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      try {
        released.await(50, TimeUnit.SECONDS);
      } catch (InterruptedException stopping) {
        Thread.currentThread().interrupt();
      }
      synchronized (written) {
        written.write(bytes, offset, length);
      }
      writes.incrementAndGet();
    }

    void release() {
      released.countDown();
    }

    String text() {
      synchronized (written) {
        return written.toString(StandardCharsets.UTF_8);
      }
    }

    int writes() {
      return writes.get();
    }

    long lines(String containing) {
      return text().lines().filter(line -> line.contains(containing)).count();
    }
  }
}
