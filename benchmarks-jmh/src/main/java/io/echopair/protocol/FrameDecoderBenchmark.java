package io.echopair.protocol;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Time per frame of {@link FrameDecoder} cutting 64 KiB reads into frames, as the server's FrameIntake feeds it: every
 * frame of every connection passes through it, on the event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(FrameDecoderBenchmark.FRAMES)
public class FrameDecoderBenchmark {

  /** The largest read Netty's adaptive allocator makes: what a connection that floods the server gets. */
  static final int READ_BYTES = 65_536;
  /** The frames of 25 such reads: then a read ends on a frame boundary, so every invocation cuts the same frames. */
  static final int FRAMES = 16_384;

  @Param({"tagged", "untagged"})
  public String frames;

  private Buffer[] reads;
  private FrameDecoder cutter;
  private FrameDecoder judge;
  private Blackhole sink;

  @Setup
  public void cutIntoReads() {
    byte[] stream = SampleFrames.stream(frames.equals("tagged"), FRAMES);
    if (stream.length % READ_BYTES != 0) {
      throw new IllegalStateException(FRAMES + " frames do not fill whole reads of " + READ_BYTES + " bytes");
    }
    reads = new Buffer[stream.length / READ_BYTES];
    for (int i = 0; i < reads.length; i++) {
      reads[i] = Buffer.buffer(Arrays.copyOfRange(stream, i * READ_BYTES, (i + 1) * READ_BYTES));
    }
    cutter = new FrameDecoder(SampleFrames.FORMAT, frame -> sink.consume(frame.offsetInRead()));
    judge = new FrameDecoder(SampleFrames.FORMAT, frame -> sink.consume(frame.verdict()));
  }

  /** Cutting alone: each frame copied into the decoder's view and handed over with its place in the read. */
  @Benchmark
  public void cut(Blackhole blackhole) {
    sink = blackhole;
    for (Buffer read : reads) {
      cutter.handle(read);
    }
  }

  /**
   * Cutting and the verdict FrameIntake asks of every frame: the checksum of a tagged frame, the text and padding of
   * an untagged one.
   */
  @Benchmark
  public void cutAndJudge(Blackhole blackhole) {
    sink = blackhole;
    for (Buffer read : reads) {
      judge.handle(read);
    }
  }
}
