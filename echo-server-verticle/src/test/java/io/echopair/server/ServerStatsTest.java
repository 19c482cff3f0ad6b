package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.server.ServerStats.Snapshot;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ServerStatsTest {

  @Test
  @DisplayName("The stats line gives totals and the rates over the interval")
  void statsLine() {
    Snapshot before = new Snapshot(0, 2, 0, 0, 0, 0, 0, 0, 0, 0);
    Snapshot after = new Snapshot(TimeUnit.SECONDS.toNanos(10), 12, 9, 1234, 123_400, 1233, 123_300, 1, 2, 5);
    assertThat(after.describeSince(before)).isEqualTo(
        "3 connections open, 12 accepted, 5 refused; in 1234 frames (123.4/s), 123400 bytes (12.3 KB/s); "
            + "out 1233 frames (123.3/s), 123300 bytes; 1 corrupt, 2 undecodable");
  }

  @Test
  @DisplayName("The instances of a deployment share one stats object; the first reports, the last removes it")
  void oneStatsObjectPerDeployment(Vertx vertx) {
    ServerStats first = ServerStats.forDeployment(vertx, "deployment-a");
    ServerStats second = ServerStats.forDeployment(vertx, "deployment-a");
    ServerStats other = ServerStats.forDeployment(vertx, "deployment-b");
    assertThat(second).isSameAs(first);
    assertThat(other).isNotSameAs(first);
    assertThat(first.join()).isTrue();
    assertThat(second.join()).isFalse();
    assertThat(first.leave(vertx, "deployment-a")).isFalse();
    assertThat(second.leave(vertx, "deployment-a")).isTrue();
    assertThat(ServerStats.forDeployment(vertx, "deployment-a")).isNotSameAs(first);
  }
}
