package io.echopair.runtime.config;

import io.vertx.config.spi.ConfigStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The vertx-config store of a configuration file: each scan looks at the file's size, modification time and
 * identity, and reads it only when one of them changed, by the rules of {@link ConfigFile}, on a worker thread.
 *
 * <p>It never fails: it hands the retriever a {@link FileReading} saying what it found, the same buffer as long as
 * the file is unchanged. The retriever reports a change only when that differs from the last, so a problem that
 * lasts is reported once.
 */
final class ConfigFileStore implements ConfigStore {

  private final Vertx vertx;
  private final Path file;
  private final String origin;

  private ConfigFile.Stamp seen;
  private Buffer reading;

  ConfigFileStore(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
    this.origin = file.toString();
  }

  @Override
  public Future<Buffer> get() {
    // Ordered on the retriever's context: one look at a time, off the event loop
    return vertx.executeBlocking(this::look)
        .recover(failure -> Future.succeededFuture(FileReading.unreadable(failure.toString()).toBuffer()));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private synchronized Buffer look() {
    ConfigFile.Stamp previous = seen;
    // Forgotten until the look succeeds: a file that could not be looked at is looked at afresh next scan
    seen = null;
    try {
      seen = ConfigFile.stamp(file, origin);
      if (!seen.equals(previous)) {
        // Stamped before reading: a file that changes meanwhile has another stamp next scan, and is read again
        reading = FileReading.text(ConfigFile.read(file, origin)).toBuffer();
      }
    } catch (ConfigException refused) {
      // A content refused keeps its stamp: it is not read again until the file changes
      reading = FileReading.refused(refused.getMessage()).toBuffer();
    } catch (IOException failure) {
      seen = null;
      reading = FileReading.unreadable(ConfigFile.reason(failure)).toBuffer();
    }
    return reading;
  }
}
