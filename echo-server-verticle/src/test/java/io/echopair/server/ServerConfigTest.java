package io.echopair.server;

import static io.echopair.server.ServerTestSupport.deploy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSource;
import io.echopair.runtime.config.Overrides;
import io.echopair.runtime.tls.TlsEngine;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ServerConfigTest {

  @Test
  @DisplayName("An empty configuration gives the seed's server: every interface, port 7777, 100-byte frames, echo on")
  void defaults() {
    assertThat(ServerConfig.from(ServerConfig.SCHEMA.parse(new JsonObject())))
        .isEqualTo(new ServerConfig("0.0.0.0", 7777, 100, true, 1, 10_000, 60, 10, 65_536, 10, 16_384, 10_000, 10_000,
            1_000, null, TlsEngine.AUTO, new ClusterSettings("auto", false, "echopair.messages", false, 4 << 20)));
  }

  @Test
  @DisplayName("conf/echo-server.json lists every key with its default")
  void shippedFileHoldsTheDefaults() throws IOException {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("..", "conf", "echo-server.json")));
    assertThat(shipped.fieldNames()).containsExactlyInAnyOrderElementsOf(ServerConfig.SCHEMA.keys());
    assertThat(ServerConfig.SCHEMA.parse(shipped)).isEqualTo(ServerConfig.SCHEMA.parse(new JsonObject()));
  }

  @ParameterizedTest(name = "{0} is rejected")
  @CsvSource(delimiter = '|', value = {
      "{\"port\": 70000}             | server.port = 70000: must be between 0 and 65535",
      "{\"port\": -1}                | server.port = -1: must be between 0 and 65535",
      "{\"port\": \"7777\"}          | server.port = \"7777\": must be an integer",
      "{\"frameSize\": 10}           | server.frameSize = 10: must be between 64 and 65536",
      "{\"echo\": \"yes\"}           | server.echo = \"yes\": must be a boolean",
      "{\"logEvery\": -1}            | server.logEvery = -1: must be at least 0",
      "{\"statsIntervalMs\": 50}     | server.statsIntervalMs = 50: must be at least 100",
      "{\"idleTimeoutSeconds\": 1.5} | server.idleTimeoutSeconds = 1.5: must be an integer",
      "{\"writeQueueMaxBytes\": 10}  | server.writeQueueMaxBytes = 10: must be between 1024 and 1073741824",
      "{\"host\": \"\"}              | server.host = \"\": must not be empty",
      "{\"prot\": 7777}              | server: unknown key \"prot\"",
      "{\"publishFormat\": \"xml\"}     | server.publishFormat = \"xml\": must be batch or json",
      "{\"publishBacklogBytes\": 0}    | server.publishBacklogBytes = 0: must be at least 1",
  })
  @DisplayName("A wrong value is rejected with one line naming the key, the value and the rule")
  void invalidValues(String json, String message) {
    assertThatThrownBy(() -> ServerConfig.from(ServerConfig.SCHEMA.parse(new JsonObject(json))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  @DisplayName("Duplicate tracking that could outgrow a quarter of the heap is refused, naming both keys and the heap")
  void dedupMustFitTheHeap() {
    ServerConfig defaults = ServerConfig.from(ServerConfig.SCHEMA.parse(new JsonObject()));
    // 10000 senders x (256 bytes + a 2048-byte bitmap) = 23 MB: fine with 1 GB, too much with 64 MB
    defaults.checkFits(1L << 30);
    assertThatThrownBy(() -> defaults.checkFits(64L << 20))
        .isInstanceOf(ConfigException.class)
        .hasMessage("server.dedupWindow = 16384 with server.maxTrackedSenders = 10000 may take up to 23 MB of heap for "
            + "duplicate tracking, more than a quarter of this JVM's 67 MB heap (-Xmx): lower one of them, or give it "
            + "more heap");
    assertThatThrownBy(() -> ServerConfig.from(ServerConfig.SCHEMA.parse(
        new JsonObject().put("dedupWindow", 1 << 24).put("maxTrackedSenders", 1_000_000))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("server.dedupWindow = 16777216 with server.maxTrackedSenders = 1000000 may take up to "
            + "2097408 MB");
  }

  @Test
  @DisplayName("The jar's early check applies the environment overrides and names the variable that is wrong")
  void applicationValidatesWithOverrides() {
    EchoServerApplication application = new EchoServerApplication();
    Overrides badPort = new Overrides(Map.of("ECHOPAIR_PORT", "abc"), Map.of());
    assertThat(application.name()).isEqualTo("echo server");
    assertThatThrownBy(() -> application.validate(new JsonObject(), badPort))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ECHOPAIR_PORT = \"abc\": server.port must be an integer");
    Overrides goodPort = new Overrides(Map.of("ECHOPAIR_SERVER_PORT", "9000"), Map.of());
    application.validate(new JsonObject().put("port", 1), goodPort);
    assertThat(application.newVerticle(ConfigSource.inline(new JsonObject()))).isInstanceOf(EchoServerVerticle.class);
  }

  @Test
  @DisplayName("A verticle deployed with a wrong value fails to start with that one line")
  void deployWithInvalidConfigFails(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("statsIntervalMs", 10)).onComplete(ctx.failing(failure -> ctx.verify(() -> {
      assertThat(failure).isInstanceOf(ConfigException.class)
          .hasMessage("server.statsIntervalMs = 10: must be at least 100");
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.stats")).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A port in use fails the start with one line naming host:port and the cause, without a stack trace")
  void portInUse(Vertx vertx, VertxTestContext ctx) throws IOException {
    // A plain socket: another server of the same Vert.x instance would share the port instead of conflicting
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    int port = taken.getLocalPort();
    deploy(vertx, new JsonObject().put("port", port)).onComplete(ctx.failing(failure -> ctx.verify(() -> {
      taken.close();
      assertThat(failure.getMessage()).startsWith("Cannot listen on 127.0.0.1:" + port + ": ")
          .containsIgnoringCase("address already in use");
      assertThat(failure.getStackTrace()).isEmpty();
      assertThat(vertx.sharedData().getLocalMap("io.echopair.server.stats")).isEmpty();
      ctx.completeNow();
    })));
  }
}
