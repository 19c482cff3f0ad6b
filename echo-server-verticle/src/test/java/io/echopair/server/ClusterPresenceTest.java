package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.protocol.ServerOffer;
import io.echopair.runtime.config.ConfigException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a server shows of itself on the event bus (here the local one; ClusterFailoverTest runs it clustered). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ClusterPresenceTest extends ServerTestSupport {

  @Test
  @DisplayName("A server answers a discovery request with its server id, the port it got, and its number of clients")
  void answersDiscovery(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject())
        .compose(server -> connect(clients, server.actualPort())
            // The server has counted the client once it says so
            .compose(client -> log.awaitContaining("connected (1 open)"))
            .compose(counted -> vertx.eventBus().<JsonObject>request(ServerOffer.ADDRESS, new JsonObject()))
            .map(answer -> {
              ServerOffer offer = ServerOffer.fromJson(answer.body());
              ctx.verify(() -> {
                assertThat(offer.host()).isEqualTo("127.0.0.1");
                assertThat(offer.port()).isEqualTo(server.actualPort());
                assertThat(offer.serverId()).matches("[0-9a-f]{8}");
                assertThat(offer.clients()).isEqualTo(1);
                assertThat(offer.nodeId()).as("not clustered").isNull();
              });
              return offer;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A stopped server no longer answers, so that senders look elsewhere")
  void stopsAnswering(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject())
        .compose(server -> vertx.undeploy(server.deploymentID()))
        .compose(undeployed -> vertx.eventBus().request(ServerOffer.ADDRESS, new JsonObject()))
        .onComplete(ctx.failing(noAnswer -> ctx.verify(() -> {
          assertThat(noAnswer).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) noAnswer).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("An advertisedHost is what the server tells senders, whatever it listens on")
  void advertisedHost(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("advertisedHost", "localhost"))
        .compose(server -> vertx.eventBus().<JsonObject>request(ServerOffer.ADDRESS, new JsonObject()))
        .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
          assertThat(ServerOffer.fromJson(answer.body()).host()).isEqualTo("localhost");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With publish on, each new frame goes out in its read's batch with its text, seq, sender id, peer, server id and time; a resent one does not")
  void publishesFrames(Vertx vertx, VertxTestContext ctx) {
    List<Object> bodies = new ArrayList<>();
    List<ReceivedMessage> published = new ArrayList<>();
    Promise<Void> four = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("test.messages", message -> {
      bodies.add(message.body());
      published.addAll(ReceivedBatch.messagesIn(message.body()));
      if (published.size() == 4) {
        four.complete();
      }
    });
    deploy(vertx, new JsonObject().put("publish", true).put("publishAddress", "test.messages"))
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, taggedFrames("hello", 0xc0ffeeL, 3))
            // Seq 3 again, as a sender resends it after a reconnect
            .compose(echoed -> sendAndAwaitEcho(socket, resent("hello 3", 0xc0ffeeL, 3)))
            .compose(echoed -> sendAndAwaitEcho(socket, seedFrame("From the seed")))
            .compose(echoed -> four.future())
            .map(socket))
        .onComplete(ctx.succeeding(socket -> ctx.verify(() -> {
          assertThat(bodies).allSatisfy(body -> assertThat(body).isInstanceOf(ReceivedBatch.class));
          assertThat(published).extracting(ReceivedMessage::text).containsExactly("hello 1", "hello 2", "hello 3",
              "From the seed");
          ReceivedMessage first = published.get(0);
          assertThat(first.sequence()).isEqualTo(1);
          assertThat(first.senderId()).isEqualTo("0000000000c0ffee");
          assertThat(first.peer()).isEqualTo("127.0.0.1:" + socket.localAddress().port());
          assertThat(first.serverId()).matches("[0-9a-f]{8}");
          assertThat(first.time()).isNotNull();
          assertThat(published.get(3).sequence()).as("untagged").isNull();
          consumer.unregister();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With publishFormat json, each new frame goes out as a JSON object of its own, as before batches")
  void publishesJson(Vertx vertx, VertxTestContext ctx) {
    List<Object> bodies = new ArrayList<>();
    Promise<Void> three = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("test.messages", message -> {
      bodies.add(message.body());
      if (bodies.size() == 3) {
        three.complete();
      }
    });
    deploy(vertx, new JsonObject().put("publish", true).put("publishAddress", "test.messages")
        .put("publishFormat", "json"))
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, taggedFrames("hello", 0xc0ffeeL, 3)))
        .compose(echoed -> three.future())
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertThat(bodies).allSatisfy(body -> assertThat(body).isInstanceOf(JsonObject.class));
          assertThat(bodies).map(body -> ReceivedMessage.fromJson((JsonObject) body).text())
              .containsExactly("hello 1", "hello 2", "hello 3");
          consumer.unregister();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With publish off (the default), nothing is published")
  void publishesNothingByDefault(Vertx vertx, VertxTestContext ctx) {
    List<Object> published = new ArrayList<>();
    vertx.eventBus().consumer(ReceivedMessage.DEFAULT_ADDRESS, message -> published.add(message.body()));
    deploy(vertx, new JsonObject())
        .compose(server -> connect(clients, server.actualPort()))
        .compose(socket -> sendAndAwaitEcho(socket, taggedFrames("hello", 7, 2)))
        .onComplete(ctx.succeeding(echoed -> ctx.verify(() -> {
          assertThat(published).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("The advertised host: as configured; else the listen host; for a wildcard, the event bus host; else 127.0.0.1")
  void advertisedHostRule() {
    assertThat(new ClusterSettings("db1.example", false, "x", false, 4 << 20).advertisedHost("0.0.0.0", "10.0.0.5")).isEqualTo("db1.example");
    assertThat(new ClusterSettings("auto", false, "x", false, 4 << 20).advertisedHost("127.0.0.1", "10.0.0.5")).isEqualTo("127.0.0.1");
    assertThat(new ClusterSettings("auto", false, "x", false, 4 << 20).advertisedHost("0.0.0.0", "10.0.0.5")).isEqualTo("10.0.0.5");
    assertThat(new ClusterSettings("auto", false, "x", false, 4 << 20).advertisedHost("::", null)).isEqualTo("127.0.0.1");
    Assertions.assertThatThrownBy(() -> ServerConfig.SCHEMA.parse(new JsonObject().put("advertisedHost", "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("server.advertisedHost = \"0.0.0.0\": must be a host senders can connect to, not a wildcard");
  }
}
