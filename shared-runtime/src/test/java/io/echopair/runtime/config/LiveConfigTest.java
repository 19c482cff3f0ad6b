package io.echopair.runtime.config;

import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class LiveConfigTest {

  private static final ConfigSchema SCHEMA = ConfigSchema.section("demo")
      .integer("port", 7777, 1, 65535, "Port")
      .integer("logEvery", 1, 0, 1000, "Log every Nth")
      .string("message", "hi", "Text");

  /** A record as a verticle keeps one: port needs a restart, logEvery and message apply live. */
  record Demo(int port, int logEvery, String message) {
    static Demo from(ConfigValues values) {
      if (values.string("message").length() > 5) {
        throw ConfigException.invalid("demo", "message", values.string("message"), "at most 5 characters");
      }
      return new Demo(values.integer("port"), values.integer("logEvery"), values.string("message"));
    }

    Demo withLiveKeysOf(Demo newer) {
      return new Demo(port, newer.logEvery, newer.message);
    }
  }

  @RegisterExtension
  final LogCapture log = LogCapture.of(LiveConfig.class);

  private static ConfigValues values(String json) {
    return SCHEMA.parse(new JsonObject(json));
  }

  private static LiveConfig<Demo> live(boolean logs) {
    ConfigValues started = values("{}");
    return new LiveConfig<>(started, Demo.from(started), Set.of("logEvery", "message"), Demo::from,
        Demo::withLiveKeysOf, logs);
  }

  @Test
  @DisplayName("a live key is applied and swaps the record; a restart key keeps the value in use; one line each")
  void liveAndRestartKeys() {
    LiveConfig<Demo> live = live(true);

    assertThat(live.change(values("{\"logEvery\": 5, \"port\": 7778}"))).contains(new Demo(7777, 5, "hi"));

    assertThat(live.current()).isEqualTo(new Demo(7777, 5, "hi"));
    assertThat(log.lines()).containsExactlyInAnyOrder(
        "INFO Configuration changed: demo.logEvery = 5 applied",
        "WARN Configuration changed: demo.port = 7778 needs a restart; still using 7777");
  }

  @Test
  @DisplayName("a restart key set back says it is the value in use, and nothing is applied")
  void backToTheValueInUse() {
    LiveConfig<Demo> live = live(true);
    live.change(values("{\"port\": 7778}"));

    assertThat(live.change(values("{\"port\": 7777}"))).isEmpty();

    assertThat(log.lines()).last().isEqualTo("INFO Configuration changed: demo.port is back to 7777, the value in use");
    assertThat(live.current()).isEqualTo(new Demo(7777, 1, "hi"));
  }

  @Test
  @DisplayName("a change its record refuses is ignored, in one WARN line, and the record stays")
  void refused() {
    LiveConfig<Demo> live = live(true);

    assertThat(live.change(values("{\"message\": \"too long\"}"))).isEmpty();

    assertThat(log.lines()).containsExactly(
        "WARN Configuration change ignored: demo.message = \"too long\": at most 5 characters");
    assertThat(live.current()).isEqualTo(new Demo(7777, 1, "hi"));
  }

  @Test
  @DisplayName("an instance that does not log applies the same change silently")
  void silentInstance() {
    LiveConfig<Demo> live = live(false);

    assertThat(live.change(values("{\"message\": \"yo\", \"port\": 1}"))).contains(new Demo(7777, 1, "yo"));
    assertThat(log.lines()).isEmpty();
  }
}
