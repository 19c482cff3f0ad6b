package io.echopair.runtime.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files an attacker could name as a configuration file: a FIFO, whose opening blocks, and a giant file that costs
 * no disk space.
 */
public final class HostileFiles {

  private HostileFiles() {
  }

  /** A FIFO (named pipe) at {@code path}, made by {@code mkfifo}: the JDK cannot make one. */
  public static Path fifo(Path path) throws IOException, InterruptedException {
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).as("mkfifo finished").isTrue();
    assertThat(mkfifo.exitValue()).as("mkfifo's exit status").isZero();
    return path;
  }

  /** A file of {@code size} bytes, all zeros, that takes no disk space (a sparse file). */
  public static Path sparse(Path path, long size) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      file.setLength(size);
    }
    assertThat(Files.size(path)).isEqualTo(size);
    return path;
  }
}
