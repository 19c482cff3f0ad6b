package io.echopair.runtime.cluster;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.tls.CertificateWatch;
import io.echopair.runtime.tls.PemFile;
import io.echopair.runtime.tls.TlsCredentials;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.runtime.tls.TlsFiles;
import io.echopair.runtime.tls.TlsPolicy;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SSLEngineOptions;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cluster} section of a --conf file: mutual TLS between the event buses of the cluster's nodes, from a
 * node certificate and the cluster's CA, as the {@link EventBusOptions} a clustered Vert.x starts with.
 *
 * <p>{@code {"cluster": {"tlsCertPath": "node.crt", "tlsKeyPath": "node.key", "tlsCaPath": "ca.crt"}}} gives every
 * node's event bus TLS with client certificates required, and each node accepts, as server and as client, only the
 * nodes whose certificate a CA of {@code tlsCaPath} signed.
 */
public final class EventBusTls {

  private static final Logger LOG = LoggerFactory.getLogger(EventBusTls.class);

  public static final String CERT_PATH = "tlsCertPath";
  public static final String KEY_PATH = "tlsKeyPath";
  public static final String CA_PATH = "tlsCaPath";
  public static final String ENGINE = "tlsEngine";

  /** The section's keys; only {@code ECHOPAIR_CLUSTER_*} and {@code -Dechopair.cluster.*} override them. */
  public static final ConfigSchema SCHEMA = ConfigSchema.section(ConfigSource.CLUSTER_SECTION)
      .withoutGenericOverrides()
      .optionalString(CERT_PATH, "This node's certificate chain (PEM), shown to the other nodes; empty: plain event bus")
      .optionalString(KEY_PATH, "The private key of tlsCertPath (PEM: PKCS#8, PKCS#1 or SEC 1)")
      .optionalString(CA_PATH, "The cluster's CA certificates (PEM bundle): a node is accepted when one of them signed its certificate")
      .string(ENGINE, "auto", "TLS implementation of the event bus: " + TlsEngine.CHOICES, TlsEngine::isName,
          "must be " + TlsEngine.CHOICES);

  /** The --options keys of eventBusOptions that configure TLS, which the cluster keys would contradict. */
  private static final List<String> OPTIONS_TLS_KEYS = List.of("ssl", "clientAuth", "pemKeyCertOptions",
      "keyStoreOptions", "pfxKeyCertOptions", "pemTrustOptions", "pfxTrustOptions", "trustStoreOptions");

  private final TlsFiles files;
  private final TlsEngine engine;

  private EventBusTls(TlsFiles files, TlsEngine engine) {
    this.files = files;
    this.engine = engine;
  }

  /**
   * Reads the section of a whole --conf object, with the overrides over it (no file is read yet).
   *
   * @param source     where {@code conf} came from, for error lines
   * @param appliedLog told one line per key an override set
   * @throws ConfigException when the section is not an object, a key is unknown or has a wrong type, or only some
   *                         of the three files are named
   */
  public static EventBusTls of(ConfigSource source, JsonObject conf, Overrides overrides, Consumer<String> appliedLog) {
    JsonObject section = source.withSection(ConfigSource.CLUSTER_SECTION).selectSection(conf);
    ConfigValues values = SCHEMA.parse(SCHEMA.applyOverrides(section, overrides, appliedLog));
    TlsFiles files = new TlsFiles(file(values, CERT_PATH), file(values, KEY_PATH), file(values, CA_PATH));
    checkComplete(files);
    return new EventBusTls(files, TlsEngine.of(values.string(ENGINE)));
  }

  /** Whether the section names any file: TLS is on, once {@link #load()} found the three files good. */
  public boolean enabled() {
    return !files.all().isEmpty();
  }

  /** The first key set, for log lines: {@code cluster.tlsCertPath}. */
  public String firstKeySet() {
    return files.all().get(0).key();
  }

  /** A key with its section, for log lines: {@code cluster.tlsCertPath}. */
  public static String key(String name) {
    return ConfigSource.CLUSTER_SECTION + "." + name;
  }

  /**
   * Refuses the cluster keys beside TLS settings of --options' {@code eventBusOptions}: one of the two would silently
   * lose.
   *
   * @param vertxOptions the --options JSON, null without it
   * @throws ConfigException naming both
   */
  public void checkNoConflictWith(JsonObject vertxOptions) {
    JsonObject eventBus = vertxOptions == null ? null : vertxOptions.getJsonObject("eventBusOptions");
    if (!enabled() || eventBus == null) {
      return;
    }
    for (String tlsKey : OPTIONS_TLS_KEYS) {
      if (setsTls(eventBus, tlsKey)) {
        throw new ConfigException(firstKeySet() + " and --options eventBusOptions." + tlsKey
            + " both set the event bus's TLS: use the cluster keys or --options, not both");
      }
    }
  }

  /**
   * Reads and checks the three files and the engine (blocking: call it before Vert.x starts).
   *
   * @throws ConfigException one line naming the key, the file and what is wrong
   */
  public Prepared prepare() {
    // The files are read here and handed over as values, so the check needs no Vert.x instance
    TlsCredentials credentials = TlsCredentials.load(null, files);
    return new Prepared(credentials, engine.options(key(ENGINE)), files.trust().origin());
  }

  /**
   * Checked settings, ready to put on a node's event bus.
   *
   * @param credentials this node's certificate and key, and the cluster's CA
   * @param engine      the TLS implementation
   * @param trustOrigin how lines name the CA bundle: {@code cluster.tlsCaPath = "conf/ca.pem"}
   */
  public record Prepared(TlsCredentials credentials, SSLEngineOptions engine, String trustOrigin) {

    /**
     * Puts mutual TLS on the event bus options: TLS, client certificates required, only the cluster's CA trusted
     * (never Vert.x's event-bus default of trusting every server), the chosen engine.
     */
    public EventBusOptions applyTo(EventBusOptions options) {
      options.setSsl(true)
          .setClientAuth(ClientAuth.REQUIRED)
          .setTrustAll(false)
          .setKeyCertOptions(credentials.keyCertOptions())
          .setTrustOptions(credentials.trustOptions())
          .setSslEngineOptions(engine.copy())
          .setEnabledSecureTransportProtocols(TlsPolicy.PROTOCOLS);
      TlsPolicy.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
      return options;
    }

    /** WARN when the certificate expires within {@link CertificateWatch#WARN_DAYS} days, ERROR once it has expired. */
    public void warnIfExpiring() {
      Instant now = Instant.now();
      long days = credentials.daysLeft(now);
      if (credentials.notAfter().isBefore(now)) {
        LOG.error("Event bus certificate has expired: {}; the other nodes refuse this node until it is renewed and "
            + "the node restarted", credentials.describe());
      } else if (days < CertificateWatch.WARN_DAYS) {
        LOG.warn("Event bus certificate expires in {} days: {}; renew it and restart this node (the event bus reads "
            + "it at start only)", days, credentials.describe());
      }
    }

    /** The start line: {@code mutual TLS (OpenSSL) as CN=node-a,O=x, expires ...; nodes accepted if signed by ...}. */
    public String describe() {
      return "mutual TLS (" + TlsEngine.describe(engine) + ") as " + credentials.describe()
          + "; other nodes accepted when a CA of " + trustOrigin + " signed their certificate";
    }
  }

  private static boolean setsTls(JsonObject eventBus, String tlsKey) {
    Object value = eventBus.getValue(tlsKey);
    // VertxOptionsJson fills in the defaults (ssl false, clientAuth NONE): only a value beyond them sets TLS
    return switch (tlsKey) {
      case "ssl" -> Boolean.TRUE.equals(value);
      case "clientAuth" -> value != null && !ClientAuth.NONE.name().equals(value);
      default -> value != null;
    };
  }

  private static PemFile file(ConfigValues values, String name) {
    return PemFile.of(key(name), values.string(name));
  }

  /** All three or none: a node certificate without the CA would trust nobody, the CA alone proves nothing. */
  private static void checkComplete(TlsFiles files) {
    if (files.trust() == null && files.all().isEmpty()) {
      return;
    }
    if (files.trust() == null) {
      throw new ConfigException(files.all().get(0).key() + " is set without " + key(CA_PATH)
          + ": mutual TLS between the nodes needs the cluster's CA too (set " + key(CERT_PATH) + ", " + key(KEY_PATH)
          + " and " + key(CA_PATH) + ", or none)");
    }
    if (files.certificate() == null && files.key() == null) {
      throw new ConfigException(key(CA_PATH) + " is set without " + key(CERT_PATH) + " and " + key(KEY_PATH)
          + ": every node shows a certificate of its own to the others (set all three, or none)");
    }
  }
}
