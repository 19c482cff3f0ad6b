package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.FrameFormat;
import io.echopair.protocol.SampleFrames;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Time per frame of the duplicate check, {@link SenderView#record} over the {@link DeliveryLedger} and its
 * {@link SequenceTracker}: FrameIntake asks it of every valid tagged frame, on the event loop, and ends each read with
 * {@link SenderView#endRead}.
 *
 * <p>In this package because the ledger is the server's own business: its classes are package-private. Logging is off
 * ({@code LOG_LEVEL=OFF}), so a gap's warning is built but not written: what the log costs is measured elsewhere.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(DeliveryLedgerBenchmark.FRAMES)
@Fork(jvmArgsAppend = "-DLOG_LEVEL=OFF")
public class DeliveryLedgerBenchmark {

  /** Frames one connection sends per invocation, each invocation on a new ledger: a quarter of the window. */
  static final int FRAMES = 4096;
  /** The server's defaults, dedupWindow and maxTrackedSenders. */
  static final int WINDOW = 16_384;
  static final int MAX_SENDERS = 10_000;
  /** In the mix: one frame in this many is overtaken by the next ... */
  static final int LATE_EVERY = 32;
  /** ... and after this many frames, a reconnect resends the last ones, marked resent, which the server had. */
  static final int RECONNECT_EVERY = 1024;
  static final int RESENT_RUN = 64;

  /**
   * {@code inOrder}: sequence 1, 2, 3 ..., what one connection sends. {@code resentAndLate}: the same, but one frame in
   * 32 arrives after the next one (a gap, then its filling: the bitmap path), and 64 frames of every 1024 are resent
   * copies (duplicates, 6%).
   */
  @Param({"inOrder", "resentAndLate"})
  public String arrivals;

  /**
   * Frames per read: the connection holds its sender's tracker from the first tagged frame of a read to its end.
   * 655 frames fill a 64 KiB read; 10 is a small read.
   */
  @Param({"655", "10"})
  public int framesPerRead;

  private Frame[] frames;
  private SenderView view;

  @Setup
  public void makeFrames() {
    boolean mixed = arrivals.equals("resentAndLate");
    frames = new Frame[FRAMES];
    long next = 1;
    int i = 0;
    while (i < FRAMES) {
      if (mixed && i % RECONNECT_EVERY == RECONNECT_EVERY - RESENT_RUN) {
        for (long sequence = next - RESENT_RUN; sequence < next; sequence++) {
          frames[i++] = SampleFrames.decoded(sequence, FrameFormat.FLAG_RESENT);
        }
      } else if (mixed && i % LATE_EVERY == LATE_EVERY - 2) {
        frames[i++] = SampleFrames.decoded(next + 1, 0);
        frames[i++] = SampleFrames.decoded(next, 0);
        next += 2;
      } else {
        frames[i++] = SampleFrames.decoded(next++, 0);
      }
    }
  }

  /** A new connection of a new sender, on a ledger of its own: every invocation sees the same arrivals. */
  @Setup(Level.Invocation)
  public void connect() {
    view = new SenderView(new DeliveryLedger(WINDOW, MAX_SENDERS), "127.0.0.1");
  }

  @TearDown(Level.Invocation)
  public void disconnect() {
    view.close();
  }

  @Benchmark
  public void record(Blackhole blackhole) {
    int inRead = 0;
    for (Frame frame : frames) {
      blackhole.consume(view.record(frame));
      if (++inRead == framesPerRead) {
        view.endRead();
        inRead = 0;
      }
    }
    view.endRead();
  }
}
