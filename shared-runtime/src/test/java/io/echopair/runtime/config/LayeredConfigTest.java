package io.echopair.runtime.config;

import io.echopair.runtime.testing.HostileFiles;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("LayeredConfig")
class LayeredConfigTest {

  static final ConfigSchema SCHEMA = ConfigSchema.section("sender")
      .integer("port", 7777, 1, 65535, "Port of the echo server")
      .bool("acks", true, "Expect echoes");

  private static final long FAST_SCAN_MS = 50;

  @TempDir
  Path dir;

  private LayeredConfig config;

  @AfterEach
  void close() {
    if (config != null) {
      config.close();
    }
  }

  @Test
  @DisplayName("loads the section of an inline object, with the overrides on top")
  void inlineSection(Vertx vertx, VertxTestContext ctx) {
    JsonObject whole = new JsonObject("{\"server\": {\"echo\": true}, \"sender\": {\"port\": 9000}}");
    Overrides overrides = new Overrides(Map.of("ECHOPAIR_ACKS", "false"), Map.of());
    config = new LayeredConfig(vertx, ConfigSource.inline(whole).withSection("sender"), SCHEMA, overrides);

    config.load().onComplete(ctx.succeeding(values -> ctx.verify(() -> {
      assertThat(values.integer("port")).isEqualTo(9000);
      assertThat(values.bool("acks")).isFalse();
      assertThat(config.current()).isEqualTo(values);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("gives the defaults when the section is absent")
  void absentSection(Vertx vertx, VertxTestContext ctx) {
    config = new LayeredConfig(vertx, ConfigSource.inline(new JsonObject()).withSection("sender"), SCHEMA, Overrides.none());

    config.load().onComplete(ctx.succeeding(values -> ctx.verify(() -> {
      assertThat(values).isEqualTo(SCHEMA.parse(null));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("fails the load with the ConfigException of an invalid inline object")
  void invalidInline(Vertx vertx, VertxTestContext ctx) {
    JsonObject whole = new JsonObject("{\"sender\": {\"port\": 70000}}");
    config = new LayeredConfig(vertx, ConfigSource.inline(whole).withSection("sender"), SCHEMA, Overrides.none());

    config.load().onComplete(ctx.failing(failure -> ctx.verify(() -> {
      assertThat(failure).isInstanceOf(ConfigException.class)
          .hasMessage("sender.port = 70000: must be between 1 and 65535");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("loads the section of a file and logs each applied override once")
  void fileSection(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = write("echopair.json", "{\"sender\": {\"port\": 9000, \"acks\": false}}");
    Overrides overrides = new Overrides(Map.of(), Map.of("echopair.sender.port", "9100"));
    LogCapture log = LogCapture.of(LayeredConfig.class);
    config = new LayeredConfig(vertx, ConfigSource.file(file).withSection("sender"), SCHEMA, overrides);

    config.load().onComplete(ctx.succeeding(values -> ctx.verify(() -> {
      log.close();
      assertThat(values.integer("port")).isEqualTo(9100);
      assertThat(values.bool("acks")).isFalse();
      assertThat(log.lines()).containsExactly("INFO sender.port = 9100 (from -Dechopair.sender.port)");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("fails the load of a missing file or of one that is not a JSON object, in one line")
  void badFiles(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path missing = dir.resolve("missing.json");
    Path malformed = write("malformed.json", "{\"port\": ");
    LayeredConfig missingConfig = new LayeredConfig(vertx, ConfigSource.file(missing), SCHEMA, Overrides.none());
    config = new LayeredConfig(vertx, ConfigSource.file(malformed), SCHEMA, Overrides.none());

    missingConfig.load()
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          missingConfig.close();
          assertThat(failure).isInstanceOf(ConfigException.class)
              .hasMessage(missing + ": cannot be read (no such file)");
        })))
        .recover(ignored -> config.load())
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          assertThat(failure).isInstanceOf(ConfigException.class)
              .hasMessageStartingWith(malformed + ": not a JSON object (")
              .hasMessageNotContaining("\n");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("hands a valid change of the file to the watch handler")
  void validChange(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = write("sender.json", "{\"port\": 9000}");
    config = new LayeredConfig(vertx, ConfigSource.file(file), SCHEMA, Overrides.none(), FAST_SCAN_MS);

    config.load().onComplete(ctx.succeeding(first -> {
      config.watch(changed -> ctx.verify(() -> {
        assertThat(first.changedKeys(changed)).containsExactly("port");
        assertThat(changed.integer("port")).isEqualTo(9001);
        assertThat(config.current()).isEqualTo(changed);
        ctx.completeNow();
      }));
      ctx.verify(() -> write("sender.json", "{\"port\": 9001}"));
    }));
  }

  @Test
  @DisplayName("rejects an invalid change in one ERROR line, keeps the running values, then takes a valid one")
  void invalidChange(Vertx vertx, VertxTestContext ctx) throws IOException {
    LogCapture log = LogCapture.of(LayeredConfig.class);

    watchSenderFile(vertx,
        changed -> ctx.verify(() -> {
          log.close();
          assertThat(changed.integer("port")).isEqualTo(9002);
          assertThat(log.lines()).hasSize(2);
          assertThat(log.lines().get(0)).isEqualTo("ERROR " + senderFile() + " changed but is invalid:"
              + " sender.port = 70000: must be between 1 and 65535; keeping the running configuration");
          assertThat(log.lines().get(1))
              .startsWith("ERROR " + senderFile() + " changed but is invalid: " + senderFile() + ": not a JSON object (")
              .endsWith("); keeping the running configuration");
          assertThat(log.anyThrowable()).isFalse();
          ctx.completeNow();
        }),
        rejected -> ctx.verify(() -> {
          assertThat(config.current().integer("port")).isEqualTo(9000);
          if (rejected.getMessage().startsWith("sender.port")) {
            write("sender.json", "{\"port\": ");
          } else {
            write("sender.json", "{\"port\": 9002}");
          }
        }))
        .onComplete(ctx.succeeding(first -> ctx.verify(() -> write("sender.json", "{\"port\": 70000}"))));
  }

  @Test
  @DisplayName("refuses a reload of a file that became a FIFO or too large in one ERROR line each, then takes a valid one")
  void refusedFiles(Vertx vertx, VertxTestContext ctx) throws IOException {
    LogCapture log = LogCapture.of(LayeredConfig.class);
    Path file = senderFile();

    watchSenderFile(vertx,
        changed -> ctx.verify(() -> {
          log.close();
          assertThat(changed.integer("port")).isEqualTo(9003);
          assertThat(log.lines()).containsExactly(
              "ERROR " + file + " changed but is invalid: " + file + ": not a regular file (a FIFO);"
                  + " keeping the running configuration",
              "ERROR " + file + " changed but is invalid: " + file + ": 104857600 bytes;"
                  + " a configuration file may be at most 1048576 bytes; keeping the running configuration");
          ctx.completeNow();
        }),
        rejected -> vertx.executeBlocking(() -> {
          assertThat(config.current().integer("port")).isEqualTo(9000);
          if (rejected.getMessage().contains("FIFO")) {
            return replace(file, HostileFiles.sparse(dir.resolve("big.tmp"), 100L * 1024 * 1024));
          }
          return write("sender.json", "{\"port\": 9003}");
        }).onFailure(ctx::failNow))
        .compose(first -> vertx.executeBlocking(() -> replace(file, HostileFiles.fifo(dir.resolve("fifo.tmp")))))
        .onFailure(ctx::failNow);
  }

  @Test
  @DisplayName("reports a file that cannot be read once, however many scans, and once when it can be read again")
  void unreadableFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    LogCapture log = LogCapture.of(LayeredConfig.class);
    Path file = senderFile();

    watchSenderFile(vertx,
        changed -> ctx.verify(() -> {
          log.close();
          assertThat(changed.integer("port")).isEqualTo(9004);
          assertThat(log.lines()).containsExactly(
              "ERROR " + file + " cannot be read: no such file; keeping the running configuration",
              "INFO " + file + " can be read again");
          ctx.completeNow();
        }),
        rejected -> ctx.verify(() -> {
          assertThat(rejected).hasMessage(file + ": cannot be read (no such file)");
          assertThat(config.current().integer("port")).isEqualTo(9000);
          // Many scans of the missing file before it comes back: the verdict on repeats comes from the timer
          vertx.setTimer(FAST_SCAN_MS * 10, timer -> ctx.verify(() -> write("sender.json", "{\"port\": 9004}")));
        }))
        .onComplete(ctx.succeeding(first -> ctx.verify(() -> Files.delete(file))));
  }

  @Test
  @DisplayName("looks inside the file only when its size, modification time or identity changed")
  void readsOnlyChangedFiles(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = write("sender.json", "{\"port\": 9001}");
    FileTime modified = Files.getLastModifiedTime(file);
    ConfigFileStore store = new ConfigFileStore(vertx, file);
    Buffer[] first = new Buffer[1];

    store.get()
        .compose(reading -> vertx.executeBlocking(() -> {
          first[0] = reading;
          // Another content of the same size, in the same file, with the same time: invisible to a look
          Files.writeString(file, "{\"port\": 9002}");
          return Files.setLastModifiedTime(file, modified);
        }))
        .compose(rewritten -> store.get())
        .compose(unchanged -> {
          ctx.verify(() -> {
            assertThat(textOf(unchanged)).isEqualTo("{\"port\": 9001}");
            // Not even copied
            assertThat(unchanged).isSameAs(first[0]);
          });
          return vertx.executeBlocking(() -> Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 1000)));
        })
        .compose(touched -> store.get())
        .onComplete(ctx.succeeding(changed -> ctx.verify(() -> {
          assertThat(textOf(changed)).isEqualTo("{\"port\": 9002}");
          ctx.completeNow();
        })));
  }

  private static String textOf(Buffer reading) {
    return FileReading.of(new JsonObject().put(FileReading.READING, reading.toString())).text();
  }

  @Test
  @DisplayName("never scans an inline source, which cannot change: no scan period, the object its only store")
  void inlineIsNotScanned() {
    JsonObject inline = new JsonObject().put("port", 9000);

    ConfigRetrieverOptions options = LayeredConfig.retrieverOptions(ConfigSource.inline(inline), FAST_SCAN_MS);

    // vertx-config sets its scan timer only for a period above 0
    assertThat(options.getScanPeriod()).isZero();
    assertThat(options.isIncludeDefaultStores()).isFalse();
    assertThat(options.getStores()).singleElement().satisfies(store -> {
      assertThat(store.getType()).isEqualTo("json");
      assertThat(store.getConfig()).isEqualTo(inline);
    });
    ConfigRetrieverOptions file = LayeredConfig.retrieverOptions(ConfigSource.file(senderFile()), FAST_SCAN_MS);
    assertThat(file.getScanPeriod()).as("a file's, for contrast").isEqualTo(FAST_SCAN_MS);
    assertThat(file.getStores()).singleElement().extracting(ConfigStoreOptions::getType)
        .isEqualTo(ConfigFileStoreFactory.TYPE);
  }

  /** Loads sender.json, written with port 9000, and watches it; completes once it watches. */
  private Future<ConfigValues> watchSenderFile(Vertx vertx, Handler<ConfigValues> onValidChange,
                                               Handler<ConfigException> onRejectedChange) throws IOException {
    config = new LayeredConfig(vertx, ConfigSource.file(write("sender.json", "{\"port\": 9000}")), SCHEMA,
        Overrides.none(), FAST_SCAN_MS);
    return config.load().onSuccess(first -> config.watch(onValidChange, onRejectedChange));
  }

  private Path senderFile() {
    return dir.resolve("sender.json");
  }

  /** Replaces the file in one step, so that a scan never reads it half written. */
  private Path write(String name, String content) throws IOException {
    return replace(dir.resolve(name), Files.writeString(dir.resolve(name + ".tmp"), content));
  }

  private static Path replace(Path file, Path by) throws IOException {
    return Files.move(by, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
