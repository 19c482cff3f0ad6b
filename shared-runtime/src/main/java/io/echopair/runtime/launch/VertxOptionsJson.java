package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --options} of a command line, VertxOptions as JSON (a file or text), checked before Vert.x starts as
 * strictly as {@code --conf}: VertxApplication would warn about a malformed value and start with the defaults, and
 * Vert.x ignores a key it does not know or a value of the wrong type.
 *
 * <p>It also fills in the defaults of {@code eventBusOptions}: {@code new EventBusOptions(JsonObject)} in Vert.x
 * 5.0.7 starts from zeros, not from the defaults, so that any {@code eventBusOptions} object left
 * {@code reconnectInterval} at 0 and a clustered start failed with "reconnect interval must be >= 1" (and
 * {@code connectTimeout} and {@code acceptBacklog} were wrong too). One default it does not take: with {@code ssl},
 * {@code trustAll} is false unless given, where the event bus's default (true) would make every node send messages to
 * any node that speaks TLS, whatever its certificate.
 */
final class VertxOptionsJson {

  private static final Logger LOG = LoggerFactory.getLogger(VertxOptionsJson.class);

  /** The spellings VertxApplication accepts (any case). */
  static final JsonOption OPTION = new JsonOption("--options", "--options", "-options", "--vertx-options", "-vertx-options");

  private static final String EVENT_BUS = "eventBusOptions";
  private static final String SSL = "ssl";
  private static final String TRUST_ALL = "trustAll";
  private static final String CLIENT_AUTH = "clientAuth";
  /** The one key of VertxOptions whose default is null, so that the defaults' JSON lacks it. */
  private static final String TRACING = "tracingOptions";

  private VertxOptionsJson() {
  }

  /**
   * Finds, reads and checks --options.
   *
   * @return the options with the event bus defaults filled in, as VertxApplication should build VertxOptions from;
   *         null without --options
   * @throws ConfigException naming the option, its value and what is wrong, e.g.
   *                         {@code --options x.json: eventBusOptions.port = "abc": must be a number}
   */
  static JsonObject of(String[] args) {
    JsonOption.Value value = OPTION.readIn(args);
    if (value == null) {
      return null;
    }
    JsonObject given = value.json();
    JsonObject defaults = new VertxOptions().toJson().put(TRACING, new JsonObject());
    checkKeys(value.origin(), given, defaults);
    checkKinds(value.origin(), "", given, defaults);
    JsonObject options = given.copy();
    if (given.getValue(EVENT_BUS) instanceof JsonObject eventBus) {
      options.put(EVENT_BUS, withDefaults(value.origin(), eventBus));
    }
    checkWithVertx(value.origin(), options);
    return options;
  }

  /** The event bus defaults with {@code given} over them; with TLS, the servers' certificates are checked. */
  private static JsonObject withDefaults(String origin, JsonObject given) {
    JsonObject eventBus = new EventBusOptions().toJson().mergeIn(given);
    if (!Boolean.TRUE.equals(given.getValue(SSL))) {
      return eventBus;
    }
    if (!given.containsKey(TRUST_ALL)) {
      eventBus.put(TRUST_ALL, false);
    } else if (Boolean.TRUE.equals(given.getValue(TRUST_ALL))) {
      LOG.warn("{}: eventBusOptions.trustAll = true: this node sends event-bus messages to any node that speaks TLS, "
          + "whatever its certificate; leave it out to accept only the certificates of pemTrustOptions", origin);
    }
    if (!ClientAuth.REQUIRED.name().equals(eventBus.getValue(CLIENT_AUTH))) {
      LOG.warn("{}: eventBusOptions.clientAuth = {}: a node without a certificate can still connect and send "
          + "event-bus messages; \"clientAuth\": \"REQUIRED\" keeps it out", origin, eventBus.getValue(CLIENT_AUTH));
    }
    return eventBus;
  }

  private static void checkKeys(String origin, JsonObject given, JsonObject defaults) {
    Set<String> known = new TreeSet<>(defaults.fieldNames());
    for (String key : given.fieldNames()) {
      if (!known.contains(key)) {
        throw new ConfigException(origin + ": unknown key \"" + key + "\" of VertxOptions (known keys: "
            + String.join(", ", known) + ")");
      }
    }
  }

  /**
   * Each value given has the JSON type of its default, inside nested objects too. A key without a default
   * ({@code eventBusOptions.host}, the TLS options...) is left to Vert.x.
   */
  private static void checkKinds(String origin, String prefix, JsonObject given, JsonObject defaults) {
    for (Map.Entry<String, Object> entry : given) {
      Object example = defaults.getValue(entry.getKey());
      String kind = kindOf(example);
      if (kind != null && !kind.equals(kindOf(entry.getValue()))) {
        throw new ConfigException(origin + ": " + prefix + entry.getKey() + " = "
            + ConfigException.render(entry.getValue()) + ": must be " + kind);
      }
      if (example instanceof JsonObject nestedDefaults) {
        checkKinds(origin, prefix + entry.getKey() + ".", (JsonObject) entry.getValue(), nestedDefaults);
      }
    }
  }

  private static String kindOf(Object value) {
    if (value instanceof JsonObject) {
      return "a JSON object";
    }
    if (value instanceof JsonArray) {
      return "a JSON array";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return value instanceof String ? "a string" : null;
  }

  /** What Vert.x itself refuses, when it builds the options and, for a cluster, the event bus client and server. */
  private static void checkWithVertx(String origin, JsonObject options) {
    try {
      EventBusOptions eventBus = new VertxOptions(options).getEventBusOptions();
      new NetClientOptions(eventBus.toJson());
      new NetServerOptions(eventBus.toJson());
    } catch (RuntimeException refused) {
      throw new ConfigException(origin + ": " + refused.getMessage());
    }
  }
}
