package io.echopair.runtime.launch;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("VertxOptionsJson")
class VertxOptionsJsonTest {

  @Test
  @DisplayName("is null without --options")
  void absent() {
    assertThat(VertxOptionsJson.of(new String[] {"--conf", "{}"})).isNull();
  }

  @Test
  @DisplayName("gives an eventBusOptions object the event bus defaults that Vert.x's JSON constructor leaves at zero")
  void eventBusDefaults() {
    VertxOptions options = options("{\"eventBusOptions\": {\"port\": 0, \"host\": \"127.0.0.1\"}}");

    EventBusOptions eventBus = options.getEventBusOptions();
    EventBusOptions defaults = new EventBusOptions();
    assertThat(eventBus.getHost()).isEqualTo("127.0.0.1");
    assertThat(eventBus.getReconnectInterval()).isEqualTo(defaults.getReconnectInterval()).isPositive();
    assertThat(eventBus.getConnectTimeout()).isEqualTo(defaults.getConnectTimeout());
    assertThat(eventBus.getAcceptBacklog()).isEqualTo(defaults.getAcceptBacklog());
    assertThat(eventBus.isTrustAll()).isEqualTo(defaults.isTrustAll());
    // What this class works around: without it, the same JSON gives a reconnect interval a cluster refuses
    assertThat(new VertxOptions(new JsonObject("{\"eventBusOptions\": {\"port\": 0}}")).getEventBusOptions()
        .getReconnectInterval()).isZero();
  }

  @Test
  @DisplayName("accepts the TLS options of the event bus and keeps what is given over the defaults")
  void eventBusTls() {
    VertxOptions options = options("{\"eventLoopPoolSize\": 3, \"eventBusOptions\": {\"ssl\": true,"
        + " \"clientAuth\": \"REQUIRED\", \"reconnectInterval\": 250,"
        + " \"pemKeyCertOptions\": {\"certPath\": \"node.crt\", \"keyPath\": \"node.key\"},"
        + " \"pemTrustOptions\": {\"certPaths\": [\"ca.crt\"]}}}");

    EventBusOptions eventBus = options.getEventBusOptions();
    assertThat(options.getEventLoopPoolSize()).isEqualTo(3);
    assertThat(eventBus.isSsl()).isTrue();
    assertThat(eventBus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(eventBus.getReconnectInterval()).isEqualTo(250);
    assertThat(eventBus.getKeyCertOptions()).isInstanceOfSatisfying(PemKeyCertOptions.class, pem -> {
      assertThat(pem.getCertPaths()).containsExactly("node.crt");
      assertThat(pem.getKeyPaths()).containsExactly("node.key");
    });
    assertThat(eventBus.getTrustOptions()).isInstanceOfSatisfying(PemTrustOptions.class,
        pem -> assertThat(pem.getCertPaths()).containsExactly("ca.crt"));
  }

  @Test
  @DisplayName("with TLS, checks the servers' certificates unless trustAll is given, where Vert.x's default trusts every server")
  void eventBusTrust() {
    String tls = "{\"eventBusOptions\": {\"ssl\": true, \"clientAuth\": \"REQUIRED\"%s}}";
    try (LogCapture log = LogCapture.of(VertxOptionsJson.class)) {
      assertThat(new EventBusOptions().isTrustAll()).as("the default this class does not take with ssl").isTrue();
      assertThat(options(tls.formatted("")).getEventBusOptions().isTrustAll()).isFalse();
      assertThat(log.lines()).isEmpty();

      assertThat(options(tls.formatted(", \"trustAll\": true")).getEventBusOptions().isTrustAll()).isTrue();
      assertThat(log.lines()).singleElement().asString().startsWith("WARN --options ")
          .endsWith(": eventBusOptions.trustAll = true: this node sends event-bus messages to any node that speaks "
              + "TLS, whatever its certificate; leave it out to accept only the certificates of pemTrustOptions");
    }
  }

  @Test
  @DisplayName("with TLS but without client certificates required, warns that strangers can still send")
  void eventBusClientAuth() {
    try (LogCapture log = LogCapture.of(VertxOptionsJson.class)) {
      options("{\"eventBusOptions\": {\"ssl\": true}}");
      options("{\"eventBusOptions\": {\"ssl\": false}}");

      assertThat(log.lines()).singleElement().asString().endsWith(": eventBusOptions.clientAuth = NONE: a node "
          + "without a certificate can still connect and send event-bus messages; \"clientAuth\": \"REQUIRED\" keeps it out");
    }
  }

  @Test
  @DisplayName("accepts every key of VertxOptions with its default value")
  void everyKey() {
    JsonObject all = new VertxOptions().toJson().put("tracingOptions", new JsonObject());

    assertThat(VertxOptionsJson.of(new String[] {"--options", all.encode()})).isNotNull();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"evntBusOptions\": {}}              | unknown key \"evntBusOptions\" of VertxOptions (known keys: addressResolverOptions, blockedThreadCheckInterval,",
      "{\"eventBusOptions\": 5}              | eventBusOptions = 5: must be a JSON object",
      "{\"eventBusOptions\": null}           | eventBusOptions = null: must be a JSON object",
      "{\"eventLoopPoolSize\": \"4\"}        | eventLoopPoolSize = \"4\": must be a number",
      "{\"eventBusOptions\": {\"port\": \"abc\"}} | eventBusOptions.port = \"abc\": must be a number",
      "{\"eventBusOptions\": {\"ssl\": \"yes\"}}  | eventBusOptions.ssl = \"yes\": must be a boolean",
      "{\"eventLoopPoolSize\": 0}            | eventLoopPoolSize must be > 0",
      "{\"eventBusOptions\": {\"clientAuth\": \"MAYBE\"}} | No enum constant io.vertx.core.http.ClientAuth.MAYBE",
      "{\"eventBusOptions\": {\"reconnectInterval\": 0}} | reconnect interval must be >= 1",
      "{\"eventBusOptions\": {}                    | not a JSON object (Unexpected end-of-input",
  })
  @DisplayName("refuses what Vert.x would ignore or refuse, in one line naming the option")
  void refused(String json, String problem) {
    assertThatThrownBy(() -> VertxOptionsJson.of(new String[] {"-options", json}))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--options " + json + ": " + problem)
        .hasMessageNotContaining("\n");
  }

  private static VertxOptions options(String json) {
    return new VertxOptions(VertxOptionsJson.of(new String[] {"--options", json}));
  }
}
