import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty echo server to compare ours with (benchmarks/compare.sh): one NIO event loop for the listener and every
 * connection, a {@link FixedLengthFrameDecoder} of 100 bytes, then a handler that writes each frame back and flushes
 * once per read, as Netty's own echo example does. Nothing else: no checksum, no duplicate check, no logging. Run on
 * the echo server's jar, which carries the Netty that Vert.x brings:
 *
 * <pre>
 *   java -cp echo-server.jar benchmarks/NettyEchoServer.java [-p PORT] [-i STATS_INTERVAL_MS] [-v]
 * </pre>
 * Port 0 (the default) lets the kernel choose. With -v each frame is written with the channel's void promise instead
 * of a new one: no object per frame for a result nobody reads. Prints "Echo server listening on 127.0.0.1:PORT (...)"
 * once listening, then every interval (500 ms by default) "Stats: C connections open, A accepted; in N frames (R/s);
 * out N frames (R/s)", and "Final stats: ..." at SIGTERM.
 */
public final class NettyEchoServer {

  private static final int FRAME = 100;

  public static void main(String[] args) throws Exception {
    int port = 0;
    long intervalMs = 500;
    boolean voidPromise = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-p" -> port = Integer.parseInt(args[++i]);
        case "-i" -> intervalMs = Long.parseLong(args[++i]);
        case "-v" -> voidPromise = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    boolean withVoidPromise = voidPromise;
    // One event loop, as our server has with one verticle instance
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Counters counters = new Counters();
    Channel listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new FixedLengthFrameDecoder(FRAME),
                new EchoServerHandler(counters, withVoidPromise));
          }
        }).bind("127.0.0.1", port).sync().channel();
    // Each line in one piece (printf writes its parts one by one), so that a script never reads half of it
    System.out.println(String.format("Echo server listening on 127.0.0.1:%d (plain Netty, one NIO event loop, "
        + "%d-byte frames, echo on, %s)", ((InetSocketAddress) listener.localAddress()).getPort(), FRAME,
        voidPromise ? "void promise" : "a promise per write"));
    loop.scheduleAtFixedRate(() -> counters.print("Stats"), intervalMs, intervalMs, TimeUnit.MILLISECONDS);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // The counters belong to the event loop: read them there
      loop.submit(counters::printFinal).awaitUninterruptibly(5, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      stopped.countDown();
    }));
    stopped.await();
  }

  /** Frame and connection counts, touched only on the event loop. */
  private static final class Counters {

    private long framesIn;
    private long framesOut;
    private long accepted;
    private int open;
    private long lastIn;
    private long lastOut;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;

    /** The counts, with the rates since the last Stats line. */
    void print(String label) {
      long now = System.nanoTime();
      print(label, framesIn - lastIn, framesOut - lastOut, now - lastNanos);
      lastIn = framesIn;
      lastOut = framesOut;
      lastNanos = now;
    }

    /** The counts, with the rates over the server's life. */
    void printFinal() {
      print("Final stats", framesIn, framesOut, System.nanoTime() - startNanos);
    }

    private void print(String label, long in, long out, long nanos) {
      double seconds = nanos / 1e9;
      System.out.println(String.format("%s: %d connections open, %d accepted; in %d frames (%.1f/s); out %d frames "
          + "(%.1f/s)", label, open, accepted, framesIn, in / seconds, framesOut, out / seconds));
    }
  }

  /** Echoes back each frame the decoder passes on; flushes once per read. */
  private static final class EchoServerHandler extends ChannelInboundHandlerAdapter {

    private final Counters counters;
    private final boolean voidPromise;

    EchoServerHandler(Counters counters, boolean voidPromise) {
      this.counters = counters;
      this.voidPromise = voidPromise;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      counters.accepted++;
      counters.open++;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      counters.open--;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object frame) {
      counters.framesIn++;
      counters.framesOut++;
      // The write releases the frame once it is on the socket
      if (voidPromise) {
        ctx.write(frame, ctx.voidPromise());
      } else {
        ctx.write(frame);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // A peer that does not read its echoes stops being read, as in our server and the C one
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
