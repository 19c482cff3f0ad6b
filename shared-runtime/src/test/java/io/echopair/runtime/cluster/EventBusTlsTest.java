package io.echopair.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.LogCapture;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("EventBusTls, the cluster section")
class EventBusTlsTest {

  private static final ConfigSource FILE = ConfigSource.file(Path.of("conf/echo-server.json"));

  @TempDir
  Path dir;

  @RegisterExtension
  final LogCapture log = LogCapture.of(EventBusTls.class);

  private Authority ca;
  private Issued node;

  @BeforeEach
  void certificates() throws IOException {
    ca = TestCertificates.authority(dir, "cluster CA");
    node = ca.issue("node-a").write();
  }

  @Test
  @DisplayName("is off without a cluster section, and with an empty one")
  void off() {
    assertThat(of(new JsonObject().put("port", 7777)).enabled()).isFalse();
    assertThat(of(new JsonObject().put("cluster", new JsonObject())).enabled()).isFalse();
  }

  @Test
  @DisplayName("puts mutual TLS with the node's certificate and only the cluster's CA on the event bus")
  void appliesMutualTls() {
    EventBusTls tls = of(conf(node.certificate(), node.key(), ca.certificate()).put("port", 7777));

    EventBusTls.Prepared prepared = tls.prepare();
    EventBusOptions options = prepared.applyTo(new EventBusOptions());

    assertThat(tls.enabled()).isTrue();
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(options.isTrustAll()).as("Vert.x's event bus trusts every server by default").isFalse();
    assertThat(options.getKeyCertOptions()).isInstanceOfSatisfying(PemKeyCertOptions.class,
        pem -> assertThat(pem.getCertValues()).hasSize(1));
    assertThat(options.getTrustOptions()).isInstanceOfSatisfying(PemTrustOptions.class,
        pem -> assertThat(pem.getCertValues()).hasSize(1));
    assertThat(options.getSslEngineOptions()).isNotNull();
    assertThat(prepared.describe()).startsWith("mutual TLS (")
        .contains(") as CN=node-a,O=echopair tests, expires ")
        .endsWith("; other nodes accepted when a CA of cluster.tlsCaPath = \"" + ca.certificate()
            + "\" signed their certificate");
  }

  @Test
  @DisplayName("takes ECHOPAIR_CLUSTER_* and -Dechopair.cluster.*, never the generic names that belong to the pieces")
  void overrides() {
    List<String> applied = new ArrayList<>();
    Overrides overrides = new Overrides(
        Map.of("ECHOPAIR_CLUSTER_TLS_CERT_PATH", node.certificate().toString(),
            "ECHOPAIR_TLS_KEY_PATH", "/generic/server.key", "ECHOPAIR_TLS_ENGINE", "nonsense"),
        Map.of("echopair.cluster.tlsKeyPath", node.key().toString(), "echopair.cluster.tlsCaPath",
            ca.certificate().toString(), "echopair.tlsCaPath", "/generic/ca.pem"));

    EventBusTls tls = EventBusTls.of(FILE, new JsonObject(), overrides, applied::add);

    assertThat(tls.enabled()).isTrue();
    assertThat(tls.prepare().applyTo(new EventBusOptions()).isSsl()).isTrue();
    assertThat(applied).containsExactly(
        "cluster.tlsCertPath = \"" + node.certificate() + "\" (from ECHOPAIR_CLUSTER_TLS_CERT_PATH)",
        "cluster.tlsKeyPath = \"" + node.key() + "\" (from -Dechopair.cluster.tlsKeyPath)",
        "cluster.tlsCaPath = \"" + ca.certificate() + "\" (from -Dechopair.cluster.tlsCaPath)");
  }

  @Test
  @DisplayName("refuses a typo in a section override, an unknown key, a wrong type and a section that is no object")
  void refusesMistakes() {
    Overrides typo = new Overrides(Map.of("ECHOPAIR_CLUSTER_TLS_CERTPATH", "x"), Map.of());
    assertThatThrownBy(() -> EventBusTls.of(FILE, new JsonObject(), typo, line -> { }))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ECHOPAIR_CLUSTER_TLS_CERTPATH: unknown key of section cluster "
            + "(known keys: tlsCertPath, tlsKeyPath, tlsCaPath, tlsEngine)");
    assertThatThrownBy(() -> of(new JsonObject().put("cluster", new JsonObject().put("tlsCert", "x"))))
        .hasMessage("cluster: unknown key \"tlsCert\" (known keys: tlsCertPath, tlsKeyPath, tlsCaPath, tlsEngine)");
    assertThatThrownBy(() -> of(new JsonObject().put("cluster", new JsonObject().put("tlsCaPath", 5))))
        .hasMessage("cluster.tlsCaPath = 5: must be a string");
    assertThatThrownBy(() -> of(new JsonObject().put("cluster", new JsonObject().put("tlsEngine", "boring"))))
        .hasMessage("cluster.tlsEngine = \"boring\": must be auto, openssl or jdk");
    assertThatThrownBy(() -> of(new JsonObject().put("cluster", "tls")))
        .hasMessage("cluster = \"tls\": must be a JSON object (in conf/echo-server.json)");
  }

  @Test
  @DisplayName("wants the three files together, and says which is missing")
  void wantsAllThree() {
    assertThatThrownBy(() -> of(conf(node.certificate(), node.key(), null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cluster.tlsCertPath is set without cluster.tlsCaPath: mutual TLS between the nodes needs the "
            + "cluster's CA too (set cluster.tlsCertPath, cluster.tlsKeyPath and cluster.tlsCaPath, or none)");
    assertThatThrownBy(() -> of(conf(null, null, ca.certificate())))
        .hasMessage("cluster.tlsCaPath is set without cluster.tlsCertPath and cluster.tlsKeyPath: every node shows "
            + "a certificate of its own to the others (set all three, or none)");
    assertThatThrownBy(() -> of(conf(node.certificate(), null, ca.certificate())).prepare())
        .hasMessageStartingWith("cluster.tlsCertPath is set without cluster.tlsKeyPath");
    assertThatThrownBy(() -> of(conf(null, node.key(), ca.certificate())).prepare())
        .hasMessageStartingWith("cluster.tlsKeyPath is set without cluster.tlsCertPath");
  }

  @Test
  @DisplayName("checks the files when prepared: a missing file, a key of another certificate, an expired certificate")
  void checksFiles() throws IOException {
    Issued other = ca.issue("node-b").write();
    Issued expired = ca.issue("old").notAfter(Instant.now().minus(Duration.ofDays(1))).write();
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> of(conf(node.certificate(), node.key(), missing)).prepare())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cluster.tlsCaPath = \"" + missing + "\": ");
    assertThatThrownBy(() -> of(conf(node.certificate(), other.key(), ca.certificate())).prepare())
        .hasMessage("cluster.tlsKeyPath = \"" + other.key() + "\": does not belong to the certificate in "
            + "cluster.tlsCertPath (CN=node-a,O=echopair tests)");
    assertThatThrownBy(() -> of(conf(expired.certificate(), expired.key(), ca.certificate())).prepare())
        .hasMessageStartingWith("cluster.tlsCertPath = \"" + expired.certificate() + "\": the certificate "
            + "CN=old,O=echopair tests expired on ");
  }

  @Test
  @DisplayName("refuses the cluster keys beside TLS settings of --options' eventBusOptions, naming both")
  void conflictsWithOptions() {
    EventBusTls tls = of(conf(node.certificate(), node.key(), ca.certificate()));
    JsonObject defaults = new JsonObject().put("eventBusOptions", new EventBusOptions().toJson().put("port", 5000));

    tls.checkNoConflictWith(null);
    tls.checkNoConflictWith(defaults);
    for (String key : List.of("ssl", "clientAuth", "pemTrustOptions")) {
      JsonObject options = defaults.copy();
      options.getJsonObject("eventBusOptions").put(key, key.equals("ssl") ? (Object) true
          : key.equals("clientAuth") ? "REQUIRED" : new JsonObject());
      assertThatThrownBy(() -> tls.checkNoConflictWith(options))
          .isInstanceOf(ConfigException.class)
          .hasMessage("cluster.tlsCertPath and --options eventBusOptions." + key
              + " both set the event bus's TLS: use the cluster keys or --options, not both");
    }
    // Without the cluster keys, --options alone is fine
    of(new JsonObject()).checkNoConflictWith(defaults.put("eventBusOptions", new JsonObject().put("ssl", true)));
  }

  @Test
  @DisplayName("warns when the certificate expires within 14 days, and is silent otherwise")
  void expiry() throws IOException {
    Issued soon = ca.issue("soon").notAfter(Instant.now().plus(Duration.ofDays(5)).plusSeconds(60)).write();

    of(conf(node.certificate(), node.key(), ca.certificate())).prepare().warnIfExpiring();
    assertThat(log.lines()).isEmpty();

    new EventBusTls.Prepared(of(conf(soon.certificate(), soon.key(), ca.certificate())).prepare().credentials(),
        new JdkSSLEngineOptions(), "x").warnIfExpiring();
    assertThat(log.lines()).singleElement().asString()
        .startsWith("WARN Event bus certificate expires in 5 days: CN=soon,O=echopair tests, expires ")
        .endsWith("; renew it and restart this node (the event bus reads it at start only)");
  }

  private static EventBusTls of(JsonObject conf) {
    return EventBusTls.of(FILE, conf, Overrides.none(), line -> { });
  }

  private static JsonObject conf(Path certificate, Path key, Path ca) {
    JsonObject cluster = new JsonObject();
    if (certificate != null) {
      cluster.put("tlsCertPath", certificate.toString());
    }
    if (key != null) {
      cluster.put("tlsKeyPath", key.toString());
    }
    if (ca != null) {
      cluster.put("tlsCaPath", ca.toString());
    }
    return new JsonObject().put("cluster", cluster);
  }
}
