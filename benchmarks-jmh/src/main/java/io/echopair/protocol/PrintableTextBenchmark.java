package io.echopair.protocol;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time per frame of {@link PrintableText} making a frame's text safe for its log line: every frame logged pays it, on
 * the event loop, before the line goes to logback.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PrintableTextBenchmark {

  /** {@code seed}: "This Msg From Client" (plain ASCII, the common case); {@code nonAscii}: UTF-8 to decode. */
  @Param({"seed", "nonAscii"})
  public String text;

  private byte[] bytes;

  @Setup
  public void encodeText() {
    bytes = SampleFrames.utf8(text.equals("seed") ? SampleFrames.SEED_TEXT : SampleFrames.NON_ASCII_TEXT);
  }

  @Benchmark
  public String escape() {
    return PrintableText.escape(bytes, 0, bytes.length);
  }
}
