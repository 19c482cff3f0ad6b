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
 * verticle's context, and reads the file through Vert.x's file system, so nothing blocks the event loop.
 */
public final class LayeredConfig {

  private static final Logger LOG = LoggerFactory.getLogger(LayeredConfig.class);

  /** How often a file source is read again to find changes, unless told otherwise. */
  public static final long DEFAULT_SCAN_PERIOD_MS = 1000;

  /** The key under which vertx-config's raw format hands us the file's text. */
  private static final String FILE_TEXT = "text";

  private static final Set<String> REPORTED_OVERRIDES = ConcurrentHashMap.newKeySet();

  private final ConfigSource source;
  private final ConfigSchema schema;
  private final Overrides overrides;
  private final ConfigRetriever retriever;

  private volatile ConfigValues running;
  private volatile ConfigValues latestValid;
  private volatile Handler<ConfigValues> onValidChange;
  private volatile Handler<ConfigException> onRejectedChange = rejected -> { };

  public LayeredConfig(Vertx vertx, ConfigSource source, ConfigSchema schema, Overrides overrides) {
    this(vertx, source, schema, overrides, DEFAULT_SCAN_PERIOD_MS);
  }

  /**
   * @param scanPeriodMs how often a file source is read again (tests use e.g. 100); ignored for an inline source
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
        .map(retrieved -> resolve(retrieved, LayeredConfig::reportOverride))
        .onSuccess(values -> running = values);
  }

  /**
   * For a file source: when the file changes and its new content is valid and gives other values, calls
   * {@code onValidChange} with them (on the context that created this object). An invalid content (bad JSON,
   * unknown key, value out of range...) is logged as one ERROR line and the running values stay. No-op for an
   * inline source, which cannot change.
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

  private void handleChange(ConfigChange change) {
    if (running == null) {
      // load() has not completed yet and will read the new content itself.
      return;
    }
    try {
      latestValid = resolve(change.getNewConfiguration(), applied -> { });
    } catch (ConfigException invalid) {
      LOG.error("{} changed but is invalid: {}; keeping the running configuration", source.describe(), invalid.getMessage());
      onRejectedChange.handle(invalid);
      return;
    }
    if (onValidChange != null) {
      deliver(latestValid);
    }
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

  /** Retrieved JSON → section → overrides → checked values. */
  private ConfigValues resolve(JsonObject retrieved, Consumer<String> appliedLog) {
    JsonObject whole = source.isFile() ? fileContent(retrieved) : retrieved;
    JsonObject section = source.selectSection(whole);
    return schema.parse(schema.applyOverrides(section, overrides, appliedLog));
  }

  private JsonObject fileContent(JsonObject retrieved) {
    String text = retrieved.getString(FILE_TEXT);
    if (text == null) {
      throw new ConfigException(source.file() + ": cannot be read (missing or not readable)");
    }
    return ConfigSource.parseObject(source.file().toString(), text);
  }

  private static ConfigRetrieverOptions retrieverOptions(ConfigSource source, long scanPeriodMs) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false);
    if (source.isFile()) {
      // Raw text and optional: vertx-config would otherwise log its own multi-line error for a bad or missing
      // file and hide the change from us; we parse the text ourselves and report it in one line.
      JsonObject fileStore = new JsonObject()
          .put("path", source.file().toString())
          .put("raw.key", FILE_TEXT)
          .put("raw.type", "string");
      return options.setScanPeriod(scanPeriodMs)
          .addStore(new ConfigStoreOptions().setType("file").setFormat("raw").setOptional(true).setConfig(fileStore));
    }
    return options.setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(source.inline()));
  }
}
