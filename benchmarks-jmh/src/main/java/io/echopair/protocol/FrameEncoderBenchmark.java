package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Time per frame of {@link FrameEncoder} making the sender's frames: the sender encodes every frame it produces, on its
 * event loop, and a sender JVM is the load source of the benchmarks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameEncoderBenchmark {

  /** The frames of one 64 KiB write. */
  static final int BATCH = 655;

  private final FrameEncoder encoder = new FrameEncoder(SampleFrames.FORMAT);
  private final byte[] text = SampleFrames.FORMAT.encodeText(SampleFrames.SEED_TEXT);
  private long sequence;

  /** As the sender's OutboundQueue does: one new buffer per frame. */
  @Benchmark
  public Buffer encode() {
    return encoder.encode(text, SampleFrames.SENDER_ID, ++sequence, SampleFrames.SENT_AT_MICROS);
  }

  /** The frames of one write appended to one buffer: the encoding with one allocation per batch, not per frame. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Buffer appendBatch() {
    Buffer out = Buffer.buffer(BATCH * SampleFrames.FORMAT.frameSize());
    for (int i = 0; i < BATCH; i++) {
      encoder.appendFrame(out, text, SampleFrames.SENDER_ID, ++sequence, SampleFrames.SENT_AT_MICROS, 0);
    }
    return out;
  }
}
