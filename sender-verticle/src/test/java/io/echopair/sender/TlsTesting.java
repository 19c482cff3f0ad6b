package io.echopair.sender;

import static io.echopair.sender.SenderTesting.fastConf;

import io.echopair.runtime.testing.TestCertificates.Authority;
import io.echopair.runtime.testing.TestCertificates.Issued;
import io.echopair.runtime.tls.TlsEngine;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Locale;
import java.util.stream.Stream;

/** What the sender's TLS tests share: the engines to run with, a TLS echo server's options, a sender's TLS keys. */
final class TlsTesting {

  private TlsTesting() {
  }

  /** The JDK's engine, and OpenSSL when it loads here: their error wordings differ. */
  static Stream<TlsEngine> engines() {
    return OpenSSLEngineOptions.isAvailable() ? Stream.of(TlsEngine.JDK, TlsEngine.OPENSSL) : Stream.of(TlsEngine.JDK);
  }

  /** A TLS server presenting {@code certificate}, with {@code engine}. */
  static NetServerOptions tlsServer(Issued certificate, TlsEngine engine) {
    return new NetServerOptions().setSsl(true).setSslEngineOptions(engine.options("test server"))
        .setKeyCertOptions(certificate.keyCertOptions());
  }

  /** A TLS server that requires a client certificate from {@code clients}: mutual TLS. */
  static NetServerOptions mutualTlsServer(Issued certificate, TlsEngine engine, Authority clients) {
    return tlsServer(certificate, engine).setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(clients.certificate().toString()));
  }

  /** What a running test server can switch to: {@code certificate}. */
  static ServerSSLOptions serverCertificate(Issued certificate) {
    return new ServerSSLOptions().setKeyCertOptions(certificate.keyCertOptions());
  }

  /** The fast test configuration over TLS, trusting {@code ca}, with {@code engine}. */
  static JsonObject tlsConf(int port, Authority ca, TlsEngine engine) {
    return fastConf(port)
        .put("tlsCaPath", ca.certificate().toString())
        .put("tlsEngine", engine.name().toLowerCase(Locale.ROOT));
  }

  /** {@code conf} with {@code certificate} as the sender's client certificate. */
  static JsonObject withClientCertificate(JsonObject conf, Issued certificate) {
    return conf.put("tlsCertPath", certificate.certificate().toString()).put("tlsKeyPath", certificate.key().toString());
  }
}
