package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An echo is a slice of a read in Netty's pooled memory, which the read gives back once it is handled: the echo holds
 * a reference of its own until it is written or lost.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EchoWriterTest {

  @Test
  @DisplayName("An echo Vert.x still queues when the connection closes gives its read's memory back")
  void echoQueuedAtClose(Vertx vertx, VertxTestContext ctx) {
    NetServer server = vertx.createNetServer();
    server.connectHandler(socket -> {
      Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
      // Not writable: Vert.x keeps what is written in its own queue
      channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
      vertx.runOnContext(writabilityKnown -> ctx.verify(() -> {
        ByteBuf read = channel.alloc().directBuffer(300).writeZero(300);
        writerOf(socket).write(BufferInternal.buffer(read).slice(0, 200));
        read.release();
        assertThat(read.refCnt()).as("references to the read once it is handled: the queued echo's").isEqualTo(1);
        // Below Vert.x's handler, as the server cuts a client that takes no echoes: Vert.x would queue a close too
        ((NetSocketInternal) socket).channelHandlerContext().close();
        ServerTestSupport.when(vertx, () -> read.refCnt() == 0).onComplete(ctx.succeedingThenComplete());
      }));
    });
    server.listen(0, "127.0.0.1")
        .compose(listening -> vertx.createNetClient().connect(listening.actualPort(), "127.0.0.1"))
        .onComplete(ctx.succeeding(client -> client.exceptionHandler(failure -> { })));
  }

  private static EchoWriter writerOf(NetSocket socket) {
    ReadGate gate = new ReadGate(socket, chunk -> { }, new ServerStats());
    return new EchoWriter(socket, gate, new StallWatch(System.nanoTime()), 65_536, "test");
  }
}
