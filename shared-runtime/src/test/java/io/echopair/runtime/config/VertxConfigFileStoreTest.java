package io.echopair.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.echopair.runtime.testing.HostileFiles;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why {@link ConfigFileStore} exists: what vertx-config's own file store does with the files an operator (or an
 * attacker) can name, shown rather than told. docs/ARCHITECTURE.md cites these tests.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("vertx-config's own file store")
class VertxConfigFileStoreTest {

  private static final String WRITTEN = "{\"written\": \"after the store opened it\"}";

  @RegisterExtension
  final LogCapture retrieverLog = LogCapture.of("io.vertx.config.impl.ConfigRetrieverImpl");

  @TempDir
  Path dir;

  @Test
  @DisplayName("reads a file of any size whole, where ours refuses one over 1 MiB without reading it")
  void readsAnySize(Vertx vertx, VertxTestContext ctx) throws Exception {
    int size = 8 * ConfigFile.MAX_BYTES;
    Path big = HostileFiles.sparse(dir.resolve("big.json"), size);

    retriever(vertx, big).getConfig().onComplete(ctx.succeeding(read -> ctx.verify(() ->
        assertThat(read.getString("text")).as("what vertx-config read at one scan").hasSize(size))))
        .compose(read -> new ConfigFileStore(vertx, big).get())
        .onComplete(ctx.succeeding(ours -> ctx.verify(() -> {
          assertThat(FileReading.of(new JsonObject().put(FileReading.READING, ours.toString())).refused())
              .isEqualTo(big + ": 8388608 bytes; a configuration file may be at most 1048576 bytes");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("opens a FIFO and holds a worker thread until someone writes to it, where ours refuses it unopened")
  void waitsOnAFifo(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path fifo = HostileFiles.fifo(dir.resolve("fifo.json"));

    new ConfigFileStore(vertx, fifo).get()
        .onComplete(ctx.succeeding(ours -> ctx.verify(() ->
            assertThat(FileReading.of(new JsonObject().put(FileReading.READING, ours.toString())).refused())
                .isEqualTo(fifo + ": not a regular file (a FIFO)"))))
        .compose(ours -> retriever(vertx, fifo).getConfig())
        .onComplete(ctx.succeeding(read -> ctx.verify(() -> {
          assertThat(read.getString("text")).as("what the test wrote, once the store had opened the FIFO")
              .isEqualTo(WRITTEN);
          ctx.completeNow();
        })));
    // Opening a FIFO to write returns only once a reader has it open: here, vertx-config's store, waiting
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      try (OutputStream writer = Files.newOutputStream(fifo)) {
        writer.write(WRITTEN.getBytes(StandardCharsets.UTF_8));
      }
    }, "nobody opened the FIFO to read it");
  }

  @Test
  @DisplayName("fails every scan while the file is missing, and its retriever logs a stack trace each time")
  void failsEveryScan(Vertx vertx, VertxTestContext ctx) {
    ConfigRetriever scanning = retriever(vertx, dir.resolve("missing.json"), 50);

    retrieverLog.await(message -> message.equals("Error while scanning configuration"), 3)
        .onComplete(ctx.succeeding(third -> ctx.verify(() -> {
          scanning.close();
          assertThat(retrieverLog.events(message -> message.equals("Error while scanning configuration")))
              .as("one ERROR with a stack trace per scan").hasSizeGreaterThanOrEqualTo(3)
              .allSatisfy(event -> assertThat(event.getThrowableProxy()).isNotNull());
          ctx.completeNow();
        })));
  }

  /** vertx-config's "file" store of {@code file}, its text handed over as the string "text", never scanned. */
  private static ConfigRetriever retriever(Vertx vertx, Path file) {
    return retriever(vertx, file, 0);
  }

  private static ConfigRetriever retriever(Vertx vertx, Path file, long scanPeriodMs) {
    JsonObject config = new JsonObject().put("path", file.toString()).put("raw.key", "text").put("raw.type", "string");
    return ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .setScanPeriod(scanPeriodMs)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("raw").setConfig(config)));
  }
}
