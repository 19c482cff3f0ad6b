package io.echopair.server;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.tls.CertificateWatch;
import io.echopair.runtime.tls.TlsCredentials;
import io.echopair.runtime.tls.TlsPolicy;
import io.echopair.runtime.tls.TlsEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;

/**
 * TLS on the frame port of one server deployment, shared by all its instances: the SSL context each new connection's
 * handshake uses, built from the credentials in use and swapped whole when {@link CertificateWatch} finds them renewed
 * (connections already open keep their session).
 *
 * <p>The server's sockets stay plain until {@link EchoServerVerticle} has admitted a connection: only then does it
 * get a handler of this context, so that handshaking connections count against the connection limits and a refused
 * handshake is logged with its peer's address.
 */
final class ServerTls implements Shareable {

  private static final String MAP_NAME = "io.echopair.server.tls";
  private static final String SIDE = "server";
  /** A client that has not finished its handshake within this time is refused. */
  static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

  private final ServerConfig config;
  private final Promise<ServerTls> ready = Promise.promise();
  private int users;
  private boolean released;
  private SslProvider provider;
  private String engineName;
  private CertificateWatch watch;
  // Read by every instance's event loop for each new connection
  private volatile SslContext context;

  private ServerTls(ServerConfig config) {
    this.config = config;
  }

  /**
   * The TLS of a deployment: the first instance that asks reads and checks its files (on a worker thread), builds its
   * context and watches the files for renewals on its own context. Each asker must {@link #release}, even when
   * {@link #ready} fails.
   */
  static ServerTls acquire(Vertx vertx, String deploymentId, ServerConfig config, long scanPeriodMs) {
    ServerTls tls = map(vertx).computeIfAbsent(deploymentId, id -> new ServerTls(config));
    if (tls.join()) {
      tls.load(vertx, scanPeriodMs);
    }
    return tls;
  }

  /** Completes once new connections can be served; fails with a {@link ConfigException} naming what is wrong. */
  Future<ServerTls> ready() {
    return ready.future();
  }

  /**
   * Reads and checks the TLS files of {@code config} and builds the context they make, without Vert.x running: the
   * jar's check before it starts (blocking).
   *
   * @throws ConfigException naming the key and file that is wrong
   */
  static void check(ServerConfig config) {
    build(TlsCredentials.load(null, config.tlsFiles()), providerOf(engineOptions(config)), config);
  }

  /** Lets go of the deployment's TLS; the last instance stops the watch. */
  synchronized void release(Vertx vertx, String deploymentId) {
    if (--users == 0) {
      released = true;
      map(vertx).removeIfPresent(deploymentId, this);
      if (watch != null) {
        watch.close();
      }
    }
  }

  /** A handler that makes one new connection's handshake with the credentials in use now. */
  SslHandler newHandler(ByteBufAllocator allocator) {
    SslHandler handler = context.newHandler(allocator);
    handler.setHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return handler;
  }

  /**
   * How the start line tells the TLS: {@code TLS 1.2/1.3 with OpenSSL, certificate CN=server, expires
   * 2027-11-30T10:00:00Z, client certificates required}.
   */
  synchronized String describe() {
    return "TLS 1.2/1.3 with " + engineName + ", certificate " + watch.current().describe()
        + (config.clientCertificatesRequired() ? ", client certificates required" : "");
  }

  /** Counts an instance in; true for the first, which loads. */
  private synchronized boolean join() {
    return users++ == 0;
  }

  private void load(Vertx vertx, long scanPeriodMs) {
    vertx.executeBlocking(() -> {
          SSLEngineOptions engine = engineOptions(config);
          TlsCredentials credentials = TlsCredentials.load(vertx, config.tlsFiles());
          synchronized (this) {
            provider = providerOf(engine);
            engineName = TlsEngine.describe(engine);
            context = build(credentials, provider, config);
          }
          return credentials;
        })
        .onSuccess(credentials -> watch(vertx, credentials, scanPeriodMs))
        .map(this)
        .onComplete(ready);
  }

  private synchronized void watch(Vertx vertx, TlsCredentials credentials, long scanPeriodMs) {
    if (!released) {
      watch = CertificateWatch.start(vertx, SIDE, credentials, scanPeriodMs, renewed -> use(vertx, renewed));
    }
  }

  /** Builds the context of renewed credentials first, so that one the engine refuses leaves the old in use. */
  private Future<SslContext> use(Vertx vertx, TlsCredentials renewed) {
    return vertx.executeBlocking(() -> build(renewed, provider, config)).onSuccess(built -> context = built);
  }

  private static SSLEngineOptions engineOptions(ServerConfig config) {
    return config.tlsEngine().options("server.tlsEngine");
  }

  private static SslProvider providerOf(SSLEngineOptions engine) {
    return engine instanceof OpenSSLEngineOptions ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** TLS 1.2 and 1.3 with the suites of {@link TlsPolicy}; client certificates required with a client CA. */
  private static SslContext build(TlsCredentials credentials, SslProvider provider, ServerConfig config) {
    try {
      // The options hold the PEM text, not paths: no Vert.x is needed to read them
      SslContextBuilder builder = SslContextBuilder
          .forServer(credentials.keyCertOptions().getKeyManagerFactory(null))
          .sslProvider(provider)
          .protocols(TlsPolicy.PROTOCOLS)
          .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
      if (credentials.trustOptions() != null) {
        Buffer authorities = Buffer.buffer();
        credentials.trustOptions().getCertValues().forEach(authorities::appendBuffer);
        builder.trustManager(new ByteArrayInputStream(authorities.getBytes())).clientAuth(ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (Exception refused) {
      throw new ConfigException(config.tlsFiles().certificate().origin() + " with " + config.tlsFiles().key().key()
          + ": the TLS engine (" + provider + ") refuses them: " + refused.getMessage());
    }
  }

  private static LocalMap<String, ServerTls> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP_NAME);
  }
}
