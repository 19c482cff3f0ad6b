package io.echopair.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.echopair.protocol.Frame;
import io.echopair.protocol.SampleFrames;
import io.echopair.runtime.logging.LogFormatEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.LoggerFactory;

/**
 * Time per line of turning the server's Recv Msg lines into the bytes the log appender writes: what logback's writer
 * thread does for each frame with logging on (logEvery 1), a limit of the server's logging-on throughput. A read's
 * lines come in {@link FrameLineBatch}es of up to {@link FrameLines#LINES_PER_BATCH} lines; a full one is encoded by
 * conf/logback.xml's encoder ({@link LogFormatEncoder}) with the shipped console pattern.
 *
 * <p>{@code batch}: the batch as the writer thread gets it. {@code alone}: the same lines each as its own logging
 * event, as logged where batches are not possible (another appender, a filter). The frames' texts are made before,
 * as the event loop makes them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(FrameLines.LINES_PER_BATCH)
public class LogLinesBenchmark {

  /** conf/logback.xml's console pattern. */
  static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";
  static final String PEER = "127.0.0.1:41234";

  private final Frame[] frames = new Frame[FrameLines.LINES_PER_BATCH];
  private final String[] texts = new String[FrameLines.LINES_PER_BATCH];
  private Logger logger;
  private LogFormatEncoder encoder;
  private FrameLineBatch batch;

  @Setup
  public void setUp() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    logger = context.getLogger(FrameIntake.class);
    encoder = new LogFormatEncoder();
    encoder.setContext(context);
    encoder.setPattern(CONSOLE_PATTERN);
    encoder.start();
    batch = new FrameLineBatch(logger, PEER);
    for (int i = 0; i < frames.length; i++) {
      frames[i] = SampleFrames.decoded(1_000_000 + i, 0);
      texts[i] = frames[i].printableText();
      batch.add(frames[i]);
    }
    batch.prepareForDeferredProcessing();
  }

  @Benchmark
  public byte[] batch() {
    return encoder.encode(batch);
  }

  @Benchmark
  public void alone(Blackhole bytes) {
    for (int i = 0; i < frames.length; i++) {
      LoggingEvent line = new LoggingEvent(Logger.FQCN, logger, Level.INFO, FrameLineBatch.TAGGED, null,
          new Object[] {texts[i], PEER, frames[i].sequence()});
      bytes.consume(encoder.encode(line));
    }
  }
}
