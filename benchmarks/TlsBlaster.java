import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load generator for the echo server over TLS or plain TCP, on one Netty event loop: each connection keeps a window
 * of 100-byte seed frames in flight and writes as many new ones as come back echoed. The same program drives the
 * plain and the TLS runs of benchmarks/tls.sh, so that their ratio compares the server and not two load generators.
 * Run from source on the echo server's jar, which carries Netty and netty-tcnative:
 *
 * <pre>
 *   java -cp echo-server.jar benchmarks/TlsBlaster.java -p PORT [-c 4] [-s 5] [-w 1000] [--ca ca.pem] [--engine openssl|jdk]
 *   java -cp echo-server.jar benchmarks/TlsBlaster.java pem KEYSTORE.p12 PASSWORD CERT.pem KEY.pem
 * </pre>
 * The second form writes the certificate and key of a PKCS#12 keystore (made by keytool) as the PEM files the server
 * reads. Prints "tlsblaster: echoed N frames in S s (R/s); cpu C s" and exits 0 when every echo came back intact.
 */
public final class TlsBlaster {

  private static final int FRAME = 100;
  private static final byte[] TEXT = "This Msg From Client".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("pem")) {
      exportPem(Path.of(args[1]), args[2].toCharArray(), Path.of(args[3]), Path.of(args[4]));
      return;
    }
    int port = 0, connections = 4, seconds = 5, window = 1000;
    String ca = null, engine = "openssl";
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "-p" -> port = Integer.parseInt(args[i + 1]);
        case "-c" -> connections = Integer.parseInt(args[i + 1]);
        case "-s" -> seconds = Integer.parseInt(args[i + 1]);
        case "-w" -> window = Integer.parseInt(args[i + 1]);
        case "--ca" -> ca = args[i + 1];
        case "--engine" -> engine = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SslContext tls = ca == null ? null : SslContextBuilder.forClient()
        .sslProvider(engine.equals("jdk") ? SslProvider.JDK : SslProvider.OPENSSL)
        .protocols("TLSv1.3").trustManager(new File(ca)).build();
    System.exit(run(port, connections, seconds, window, tls));
  }

  private static int run(int port, int connections, int seconds, int window, SslContext tls) throws Exception {
    ByteBuf frames = Unpooled.unreleasableBuffer(Unpooled.directBuffer(window * FRAME));
    for (int i = 0; i < window; i++) {
      frames.writeBytes(TEXT).writeZero(FRAME - TEXT.length);
    }
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    AtomicLong echoed = new AtomicLong();
    List<Load> loads = new ArrayList<>();
    CountDownLatch connected = new CountDownLatch(connections);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.SECONDS.toNanos(30);
    for (int i = 0; i < connections; i++) {
      Load load = new Load(frames, window, echoed, connected);
      loads.add(load);
      new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              if (tls != null) {
                channel.pipeline().addLast(tls.newHandler(channel.alloc(), "127.0.0.1", port));
              }
              channel.pipeline().addLast(load);
            }
          }).connect("127.0.0.1", port).sync();
    }
    if (!connected.await(30, TimeUnit.SECONDS)) {
      System.err.println("tlsblaster: the connections did not come up (TLS handshake?)");
      return 1;
    }
    long cpuBefore = cpuNanos();
    long before = echoed.get();
    long start = System.nanoTime();
    loads.forEach(Load::start);
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long frameCount = echoed.get() - before;
    double elapsed = (System.nanoTime() - start) / 1e9;
    long cpu = cpuNanos() - cpuBefore;
    loads.forEach(Load::stop);
    boolean intact = loads.stream().allMatch(load -> load.intact);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    System.out.printf("tlsblaster: echoed %d frames in %.1f s (%.0f/s); cpu %.2f s; %s%n", frameCount, elapsed,
        frameCount / elapsed, cpu / 1e9, intact ? "every echo intact" : "FAILED");
    return intact && System.nanoTime() < deadline ? 0 : 1;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** One connection: a window of frames in flight, one new frame written for each one echoed. */
  private static final class Load extends ChannelInboundHandlerAdapter {

    private final ByteBuf frames;
    private final int window;
    private final AtomicLong echoed;
    private final CountDownLatch connected;
    private Channel channel;
    private long bytes;
    private int partial;
    private volatile boolean intact = true;
    private volatile boolean running;

    Load(ByteBuf frames, int window, AtomicLong echoed, CountDownLatch connected) {
      this.frames = frames;
      this.window = window;
      this.echoed = echoed;
      this.connected = connected;
    }

    void start() {
      channel.eventLoop().execute(() -> {
        running = true;
        channel.writeAndFlush(frames.retainedSlice(0, window * FRAME));
      });
    }

    void stop() {
      channel.eventLoop().execute(() -> {
        running = false;
        channel.close();
      });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && !done.isSuccess()) {
        System.err.println("tlsblaster: TLS handshake failed: " + done.cause());
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      if (ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null) {
        connected.countDown();
      } else {
        ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture()
            .addListener(done -> { if (done.isSuccess()) connected.countDown(); });
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ByteBuf echo = (ByteBuf) message;
      int length = echo.readableBytes();
      // Each echo is the frame: its text at the start of every 100 bytes
      for (int at = (FRAME - partial) % FRAME; at < length && intact; at += FRAME) {
        if (echo.getByte(echo.readerIndex() + at) != TEXT[0]) {
          intact = false;
        }
      }
      echo.release();
      int whole = (partial + length) / FRAME;
      partial = (partial + length) % FRAME;
      bytes += length;
      echoed.addAndGet(whole);
      if (running && whole > 0) {
        ctx.write(frames.retainedSlice(0, whole * FRAME));
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (running) {
        System.err.println("tlsblaster: " + cause);
        intact = false;
      }
      ctx.close();
    }
  }

  /** The first key entry of a PKCS#12 keystore as PEM: its certificate chain, and its key in PKCS#8. */
  private static void exportPem(Path keystore, char[] password, Path certOut, Path keyOut) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      store.load(in, password);
    }
    String alias = store.aliases().nextElement();
    StringBuilder chain = new StringBuilder();
    for (Certificate certificate : store.getCertificateChain(alias)) {
      chain.append(pem("CERTIFICATE", certificate.getEncoded()));
    }
    Files.writeString(certOut, chain);
    Files.writeString(keyOut, pem("PRIVATE KEY", ((PrivateKey) store.getKey(alias, password)).getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
