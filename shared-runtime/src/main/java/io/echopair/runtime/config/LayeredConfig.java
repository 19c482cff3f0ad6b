package io.echopair.runtime.config;

import io.vertx.config.ConfigChange;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Loads one configuration section with vertx-config (file or inline JSON, then the section, then the environment
 * and system property overrides, then the schema's checks) and, for a file, watches it for valid changes.
 *
 * <p>Create it in the verticle's {@code start()}: the retriever runs its scans and calls the handlers on the
 * verticle's context. A file is looked at through {@link ConfigFileStore}, on a worker thread, and read only when it
 * changed, so nothing blocks the event loop and an unchanged file costs one {@code stat} per scan.
 */
public final class LayeredConfig {

  private static final Logger LOG = LoggerFactory.getLogger(LayeredConfig.class);

  /** How often a file source is looked at to find changes, unless told otherwise. */
  public static final long DEFAULT_SCAN_PERIOD_MS = 1000;

  private static final Set<String> REPORTED_OVERRIDES = ConcurrentHashMap.newKeySet();

  private final ConfigSource source;
  private final ConfigSchema schema;
  private final Overrides overrides;
  private final ConfigRetriever retriever;

  private volatile ConfigValues running;
  private volatile ConfigValues latestValid;
  private volatile Handler<ConfigValues> onValidChange;
  private volatile Handler<ConfigException> onRejectedChange = rejected -> { };
  /** Whether the file could not be read at the last scan that found a change (reported once, until it recovers). */
  private volatile boolean unreadable;

  public LayeredConfig(Vertx vertx, ConfigSource source, ConfigSchema schema, Overrides overrides) {
    this(vertx, source, schema, overrides, DEFAULT_SCAN_PERIOD_MS);
  }

  /**
   * @param scanPeriodMs how often a file source is looked at (tests use e.g. 100); ignored for an inline source
   */
  public LayeredConfig(Vertx vertx, ConfigSource source, ConfigSchema schema, Overrides overrides, long scanPeriodMs) {
    this.source = source;
    this.schema = schema;
    this.overrides = overrides;
    this.retriever = ConfigRetriever.create(vertx, retrieverOptions(source, scanPeriodMs));
    // Listen at once so that no change is lost between load() and watch().
    retriever.listen(this::handleChange);
  }

  /**
   * The first load; logs each applied override at INFO (once per JVM, however many instances load it).
   *
   * @return the checked values, or a failure with a {@link ConfigException}
   */
  public Future<ConfigValues> load() {
    return retriever.getConfig()
        .map(retrieved -> resolve(wholeOf(retrieved), LayeredConfig::reportOverride))
        .onSuccess(values -> running = values);
  }

  /**
   * For a file source: when the file changes and its new content is valid and gives other values, calls
   * {@code onValidChange} with them (on the context that created this object). An invalid content (bad JSON,
   * unknown key, value out of range, not a regular file, too large...) is logged as one ERROR line and the running
   * values stay. A file that cannot be read (deleted, permission denied, too many open files) is logged once as an
   * ERROR, and once as an INFO when it can be read again. No-op for an inline source, which cannot change.
   */
  public void watch(Handler<ConfigValues> onValidChange) {
    this.onValidChange = onValidChange;
    ConfigValues pending = latestValid;
    if (pending != null) {
      deliver(pending);
    }
  }

  /** Like {@link #watch(Handler)}; also tells {@code onRejectedChange} why a change was rejected. */
  public void watch(Handler<ConfigValues> onValidChange, Handler<ConfigException> onRejectedChange) {
    this.onRejectedChange = onRejectedChange;
    watch(onValidChange);
  }

  /** The values in force: the last loaded or delivered to the watch handler; null before {@link #load()}. */
  public ConfigValues current() {
    return running;
  }

  /** Stops watching the file. */
  public void close() {
    retriever.close();
  }

  /** Only a file source changes: an inline one is not scanned. */
  private void handleChange(ConfigChange change) {
    if (running == null) {
      // load() has not completed yet and will read the new content itself.
      return;
    }
    FileReading reading = FileReading.of(change.getNewConfiguration());
    if (reportedUnreadable(reading)) {
      return;
    }
    try {
      latestValid = resolve(fileContent(reading), applied -> { });
    } catch (ConfigException invalid) {
      LOG.error("{} changed but is invalid: {}; keeping the running configuration", source.describe(), invalid.getMessage());
      onRejectedChange.handle(invalid);
      return;
    }
    if (onValidChange != null) {
      deliver(latestValid);
    }
  }

  /** Whether the file could not be read; the line comes once, the retriever reports only what differs. */
  private boolean reportedUnreadable(FileReading reading) {
    if (reading.unreadable() != null) {
      unreadable = true;
      LOG.error("{} cannot be read: {}; keeping the running configuration", source.file(), reading.unreadable());
      onRejectedChange.handle(reading.failure(source.file().toString()));
      return true;
    }
    if (unreadable) {
      unreadable = false;
      LOG.info("{} can be read again", source.file());
    }
    return false;
  }

  private void deliver(ConfigValues values) {
    if (!values.equals(running)) {
      running = values;
      onValidChange.handle(values);
    }
  }

  /** Once per JVM: with --instances N, every instance loads the same overrides. */
  private static void reportOverride(String line) {
    if (REPORTED_OVERRIDES.add(line)) {
      LOG.info(line);
    }
  }

  /** The whole configuration object: the inline one, or the file's text parsed. */
  private JsonObject wholeOf(JsonObject retrieved) {
    return source.isFile() ? fileContent(FileReading.of(retrieved)) : retrieved;
  }

  /** Whole object → section → overrides → checked values. */
  private ConfigValues resolve(JsonObject whole, Consumer<String> appliedLog) {
    JsonObject section = source.selectSection(whole);
    return schema.parse(schema.applyOverrides(section, overrides, appliedLog));
  }

  private JsonObject fileContent(FileReading reading) {
    ConfigException failure = reading.failure(source.file().toString());
    if (failure != null) {
      throw failure;
    }
    return ConfigSource.parseObject(source.file().toString(), reading.text());
  }

  /** What the retriever of {@code source} is made of: one store, and a scan period for a file only. */
  static ConfigRetrieverOptions retrieverOptions(ConfigSource source, long scanPeriodMs) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false);
    if (source.isFile()) {
      // Our store, not vertx-config's file store: that one reads the whole file at every scan, whatever it is
      return options.setScanPeriod(scanPeriodMs).addStore(ConfigFileStoreFactory.storeOptions(source.file()));
    }
    return options.setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(source.inline()));
  }
}
