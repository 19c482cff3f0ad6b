package io.echopair.sender;

import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.tls.HandshakeFailure;
import io.echopair.runtime.tls.PemFile;
import io.echopair.runtime.tls.TlsCredentials;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.runtime.tls.TlsFiles;
import io.echopair.runtime.tls.TlsPolicy;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLEngineOptions;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * How the sender speaks TLS: the CAs it trusts to sign the server's certificate, its own certificate for mutual TLS,
 * whether the server's certificate must name the host connected to, and the engine. Null in {@link SenderConfig}
 * when {@code tlsCaPath} is empty: plain TCP.
 *
 * @param files      the trusted CAs (always set), and the sender's certificate and key (both or neither)
 * @param verifyHost whether the server's certificate must be for the host connected to ("HTTPS" identification)
 * @param engine     OpenSSL or the JDK's engine
 */
public record SenderTls(TlsFiles files, boolean verifyHost, TlsEngine engine) {

  /** TLS 1.2 and 1.3 only: older versions have known weaknesses. */

  /** The TLS settings of a checked section, or null when {@code tlsCaPath} is empty. */
  static SenderTls from(ConfigValues values) {
    PemFile trust = file(values, SenderConfig.TLS_CA_PATH);
    PemFile certificate = file(values, SenderConfig.TLS_CERT_PATH);
    PemFile key = file(values, SenderConfig.TLS_KEY_PATH);
    if (trust == null) {
      PemFile identity = certificate != null ? certificate : key;
      if (identity != null) {
        throw new ConfigException(identity.origin() + " is set without " + SenderConfig.SECTION + "."
            + SenderConfig.TLS_CA_PATH + ": a client certificate is only sent over TLS, which tlsCaPath turns on");
      }
      return null;
    }
    // A certificate without its key, or the reverse, is refused by TlsCredentials.load with the files
    return new SenderTls(new TlsFiles(certificate, key, trust), values.bool(SenderConfig.TLS_VERIFY_HOST),
        TlsEngine.of(values.string(SenderConfig.TLS_ENGINE)));
  }

  private static PemFile file(ConfigValues values, String key) {
    return PemFile.of(SenderConfig.SECTION + "." + key, values.string(key));
  }

  /**
   * Reads and checks the files (blocking).
   *
   * @throws ConfigException naming the key and file, or saying that OpenSSL does not load when it is asked for
   */
  TlsCredentials load() {
    engine.options(SenderConfig.SECTION + "." + SenderConfig.TLS_ENGINE);
    // No Vert.x needed: the PEM text is read here and handed over as values
    return TlsCredentials.load(null, files);
  }

  /** {@code options} with TLS on, these credentials, the engine and a handshake bounded by {@code connectTimeoutMs}. */
  NetClientOptions applyTo(NetClientOptions options, TlsCredentials credentials, int connectTimeoutMs) {
    ClientSSLOptions ssl = sslOptions(credentials);
    ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    return options.setSsl(true)
        .setSslEngineOptions(engine.options(SenderConfig.SECTION + "." + SenderConfig.TLS_ENGINE))
        .setTrustOptions(ssl.getTrustOptions())
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
        .setHostnameVerificationAlgorithm(ssl.getHostnameVerificationAlgorithm())
        .setSslHandshakeTimeout(connectTimeoutMs)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** What new connections use: at start, and after each renewal of the files. */
  ClientSSLOptions sslOptions(TlsCredentials credentials) {
    ClientSSLOptions options = new ClientSSLOptions();
    TlsPolicy.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options
        .setTrustOptions(credentials.trustOptions())
        .setKeyCertOptions(credentials.keyCertOptions())
        .setEnabledSecureTransportProtocols(TlsPolicy.PROTOCOLS)
        // Vert.x 5 wants it said: "" is no hostname verification
        .setHostnameVerificationAlgorithm(verifyHost ? "HTTPS" : "");
  }

  /**
   * How the sender's first line names its TLS: {@code over TLS (OpenSSL; client certificate CN=sender-1,O=example,
   * expires 2027-11-30T10:00:00Z)}.
   */
  String describe(TlsCredentials credentials, SSLEngineOptions engineOptions) {
    String identity = credentials.hasIdentity() ? "client certificate " + credentials.describe() : "no client certificate";
    return "over TLS (" + TlsEngine.describe(engineOptions) + "; " + identity
        + (verifyHost ? "" : "; the server's host name is not verified") + ")";
  }

  /** How the connected line names a TLS connection: {@code over TLSv1.3, server CN=server,O=example}. */
  static String describe(NetSocket socket) {
    return "over " + socket.sslSession().getProtocol() + ", server " + serverSubject(socket);
  }

  private static String serverSubject(NetSocket socket) {
    try {
      List<Certificate> chain = socket.peerCertificates();
      return chain.isEmpty() ? "without a certificate" : TlsCredentials.subjectOf((X509Certificate) chain.get(0));
    } catch (SSLPeerUnverifiedException unverified) {
      return "unverified";
    }
  }

  /**
   * Why a connection failed, when TLS failed it: {@code TLS handshake with 127.0.0.1:7777 failed: wrong host name:
   * the certificate is not for 127.0.0.1}; null when it is not a TLS failure (refused, unreachable...).
   */
  String describeFailure(Throwable failure, String target) {
    if (!HandshakeFailure.isTls(failure)) {
      return null;
    }
    return "TLS handshake with " + target + " failed: " + HandshakeFailure.describe(failure, files.hasIdentity());
  }
}
