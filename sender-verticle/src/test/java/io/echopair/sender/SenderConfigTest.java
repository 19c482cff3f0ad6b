package io.echopair.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.testing.TestCertificates;
import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.tls.PemFile;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.runtime.tls.TlsFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SenderConfigTest {

  private static SenderConfig parse(JsonObject json) {
    return SenderConfig.from(SenderConfig.SCHEMA.parse(json));
  }

  @Test
  @DisplayName("An empty configuration gives the seed's client: 127.0.0.1:7777, a 100-byte frame every 2 s")
  void defaults() {
    SenderConfig config = parse(new JsonObject());

    assertThat(config).isEqualTo(new SenderConfig("127.0.0.1", 7777, 100, 2000, 1, "This Msg From Client", 0, 1, true,
        10_000, 10_000, 100, 1000, 5000, 10_000, 10_000, 5000, false, null));
    assertThat(config.usesTls()).isFalse();
    assertThat(config.finite()).isFalse();
  }

  @Test
  @DisplayName("conf/sender.json lists every key with its default")
  void shippedFileHoldsTheDefaults() throws Exception {
    JsonObject shipped = ConfigSource.parseObject("conf/sender.json", Files.readString(Path.of("../conf/sender.json")));

    assertThat(shipped.fieldNames()).containsExactlyInAnyOrderElementsOf(SenderConfig.SCHEMA.keys());
    assertThat(SenderConfig.SCHEMA.parse(shipped)).isEqualTo(SenderConfig.SCHEMA.parse(new JsonObject()));
  }

  @Test
  @DisplayName("A message longer than a frame's text area is rejected, naming sender.message and the sizes")
  void messageTooLong() {
    JsonObject json = new JsonObject().put("message", "x".repeat(68));

    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.message = \"" + "x".repeat(68) + "\": message is 68 bytes in UTF-8; a 100-byte frame holds at most 67");
  }

  @Test
  @DisplayName("A message that fits a larger frameSize is accepted")
  void messageFitsLargerFrame() {
    SenderConfig config = parse(new JsonObject().put("message", "x".repeat(68)).put("frameSize", 200));

    assertThat(config.encodedMessage()).hasSize(68);
  }

  @Test
  @DisplayName("A message with a NUL character is rejected: NUL ends the text on the wire")
  void messageWithNul() {
    JsonObject json = new JsonObject().put("message", "a\u0000b");

    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.message = \"a\\u0000b\": message contains a NUL character at index 1: NUL ends the text on the wire");
  }

  @Test
  @DisplayName("reconnectMaxDelayMs below reconnectInitialDelayMs is rejected")
  void maxDelayBelowInitial() {
    JsonObject json = new JsonObject().put("reconnectInitialDelayMs", 500).put("reconnectMaxDelayMs", 200);

    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.reconnectMaxDelayMs = 200: must be at least reconnectInitialDelayMs (500)");
  }

  @Test
  @DisplayName("An unknown key is rejected with the list of known keys")
  void unknownKey() {
    JsonObject json = new JsonObject().put("prot", 7778);

    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sender: unknown key \"prot\" (known keys: host, port, frameSize, intervalMs,");
  }

  @Test
  @DisplayName("Values out of range are rejected: port 0, intervalMs 0, connections 10001")
  void outOfRange() {
    assertThatThrownBy(() -> parse(new JsonObject().put("port", 0)))
        .hasMessage("sender.port = 0: must be between 1 and 65535");
    assertThatThrownBy(() -> parse(new JsonObject().put("intervalMs", 0)))
        .hasMessage("sender.intervalMs = 0: must be at least 1");
    assertThatThrownBy(() -> parse(new JsonObject().put("connections", 10_001)))
        .hasMessage("sender.connections = 10001: must be between 1 and 10000");
  }

  @Test
  @DisplayName("The launcher's early check applies the same rules")
  void applicationValidates() {
    SenderApplication application = new SenderApplication();

    assertThat(application.name()).isEqualTo("sender");
    assertThatThrownBy(() -> application.validate(new JsonObject().put("acks", "yes"), Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.acks = \"yes\": must be a boolean");
  }

  @Test
  @DisplayName("tlsCaPath turns TLS on, with host name verification and the engine chosen at run time by default")
  void tlsKeys() {
    SenderConfig config = parse(new JsonObject().put("tlsCaPath", "conf/ca.pem"));

    assertThat(config.usesTls()).isTrue();
    assertThat(config.tls()).isEqualTo(new SenderTls(
        new TlsFiles(null, null, new PemFile("sender.tlsCaPath", Path.of("conf/ca.pem"))), true, TlsEngine.AUTO));
    assertThat(parse(new JsonObject().put("tlsCaPath", "")).usesTls()).as("empty is off").isFalse();
    assertThat(parse(new JsonObject().put("tlsCaPath", "ca.pem").put("tlsEngine", "OpenSSL")).tls().engine())
        .isEqualTo(TlsEngine.OPENSSL);
  }

  @Test
  @DisplayName("A client certificate or key without tlsCaPath is rejected: it would never be sent")
  void clientCertificateWithoutTls() {
    assertThatThrownBy(() -> parse(new JsonObject().put("tlsCertPath", "sender.crt").put("tlsKeyPath", "sender.key")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.tlsCertPath = \"sender.crt\" is set without sender.tlsCaPath: "
            + "a client certificate is only sent over TLS, which tlsCaPath turns on");
    assertThatThrownBy(() -> parse(new JsonObject().put("tlsKeyPath", "sender.key")))
        .hasMessageStartingWith("sender.tlsKeyPath = \"sender.key\" is set without sender.tlsCaPath: ");
  }

  @Test
  @DisplayName("An unknown tlsEngine is rejected, naming the choices")
  void unknownEngine() {
    assertThatThrownBy(() -> parse(new JsonObject().put("tlsEngine", "boringssl")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.tlsEngine = \"boringssl\": must be auto, openssl or jdk");
  }

  @Test
  @DisplayName("The launcher's early check reads the TLS files: a certificate without its key, or a missing file, is one line")
  void applicationChecksTlsFiles(@TempDir Path dir) throws Exception {
    Authority ca = TestCertificates.authority(dir, "test CA");
    Issued client = ca.issue("sender-1").write();
    SenderApplication application = new SenderApplication();
    JsonObject tls = new JsonObject().put("tlsCaPath", ca.certificate().toString());

    application.validate(tls.copy().put("tlsCertPath", client.certificate().toString())
        .put("tlsKeyPath", client.key().toString()), Overrides.none());
    assertThatThrownBy(() -> application.validate(tls.copy().put("tlsCertPath", client.certificate().toString()),
        Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sender.tlsCertPath is set without sender.tlsKeyPath");
    assertThatThrownBy(() -> application.validate(tls.copy().put("tlsKeyPath", client.key().toString()),
        Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sender.tlsKeyPath is set without sender.tlsCertPath");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> application.validate(new JsonObject().put("tlsCaPath", missing.toString()),
        Overrides.none()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sender.tlsCaPath = \"" + missing + "\": cannot be read (no such file)");
    assertThatThrownBy(() -> application.validate(tls, Overrides.none().withSystemProperty("echopair.sender.tlsCaPath",
        client.key().toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sender.tlsCaPath = \"" + client.key() + "\": not PEM certificates (");
  }
}
