package io.echopair.runtime.tls;

import io.echopair.runtime.Failures;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigFile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import javax.security.auth.x500.X500Principal;

/**
 * The contents of one side's {@link TlsFiles}, read and checked as a whole: the certificates parse, the key parses
 * (PKCS#8, PKCS#1 or SEC 1) and belongs to the certificate, and the certificate has not expired. Held as PEM text, so
 * that Vert.x gets exactly what was checked even if the files change meanwhile.
 */
public final class TlsCredentials {

  private static final byte[] PROBE = "echopair: does this key belong to this certificate?".getBytes();

  private final TlsFiles files;
  private final Buffer chain;
  private final Buffer key;
  private final Buffer trust;
  private final X509Certificate leaf;

  private TlsCredentials(TlsFiles files, Buffer chain, Buffer key, Buffer trust, X509Certificate leaf) {
    this.files = files;
    this.chain = chain;
    this.key = key;
    this.trust = trust;
    this.leaf = leaf;
  }

  /**
   * Reads and checks the files (blocking: call it before Vert.x starts or on a worker thread).
   *
   * @throws ConfigException one line naming the key, the file and what is wrong, e.g.
   *                         {@code server.tlsKeyPath = "k.pem": does not belong to the certificate in server.tlsCertPath}
   */
  public static TlsCredentials load(Vertx vertx, TlsFiles files) {
    Buffer chain = null;
    Buffer key = null;
    X509Certificate leaf = null;
    if (files.certificate() != null) {
      chain = read(files.certificate());
      List<X509Certificate> certificates = certificates(files.certificate(), chain);
      leaf = certificates.get(0);
      if (files.key() == null) {
        throw new ConfigException(files.certificate().key() + " is set without " + partner(files.certificate())
            + ": set both (the certificate chain and its private key), or neither");
      }
      key = read(files.key());
      checkKeyBelongs(vertx, files, chain, key, leaf);
      checkNotExpired(files.certificate(), leaf, Instant.now());
    } else if (files.key() != null) {
      throw new ConfigException(files.key().key() + " is set without " + partner(files.key())
          + ": set both (the certificate chain and its private key), or neither");
    }
    Buffer trust = null;
    if (files.trust() != null) {
      trust = read(files.trust());
      certificates(files.trust(), trust);
    }
    return new TlsCredentials(files, chain, key, trust, leaf);
  }

  public TlsFiles files() {
    return files;
  }

  /** Whether this side has a certificate of its own to present. */
  public boolean hasIdentity() {
    return leaf != null;
  }

  /** The certificate and key for Vert.x's SSL options, or null without a certificate. */
  public PemKeyCertOptions keyCertOptions() {
    return leaf == null ? null : new PemKeyCertOptions().addCertValue(chain).addKeyValue(key);
  }

  /** The trusted authorities for Vert.x's SSL options, or null without a trust file. */
  public PemTrustOptions trustOptions() {
    return trust == null ? null : new PemTrustOptions().addCertValue(trust);
  }

  /** When the certificate expires; null without one. */
  public Instant notAfter() {
    return leaf == null ? null : leaf.getNotAfter().toInstant();
  }

  /** The certificate's subject as RFC 2253 writes it, e.g. {@code CN=server,O=example}; null without one. */
  public String subject() {
    return leaf == null ? null : subjectOf(leaf);
  }

  /** How a log line names the certificate: {@code CN=server,O=example, expires 2027-11-30T10:00:00Z}. */
  public String describe() {
    return leaf == null ? "no certificate" : subject() + ", expires " + notAfter().truncatedTo(ChronoUnit.SECONDS);
  }

  /** Days until the certificate expires, rounded down (negative once expired); {@code Long.MAX_VALUE} without one. */
  public long daysLeft(Instant now) {
    return leaf == null ? Long.MAX_VALUE : Duration.between(now, notAfter()).toDays();
  }

  /** Whether {@code other} holds the same certificate, key and trust, byte for byte. */
  public boolean sameAs(TlsCredentials other) {
    return other != null && equal(chain, other.chain) && equal(key, other.key) && equal(trust, other.trust);
  }

  /** How identities read: the certificate subject as RFC 2253 writes it. */
  public static String subjectOf(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  private static boolean equal(Buffer a, Buffer b) {
    return a == null ? b == null : a.equals(b);
  }

  private static Buffer read(PemFile file) {
    return Buffer.buffer(ConfigFile.readText(file.path(), file.origin()));
  }

  private static List<X509Certificate> certificates(PemFile file, Buffer pem) {
    try {
      Collection<? extends Certificate> parsed = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes()));
      List<X509Certificate> certificates = new ArrayList<>();
      parsed.forEach(certificate -> certificates.add((X509Certificate) certificate));
      if (certificates.isEmpty()) {
        throw new ConfigException(file.origin() + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
      }
      return certificates;
    } catch (CertificateException notPem) {
      throw new ConfigException(file.origin() + ": not PEM certificates (" + notPem.getMessage() + ")");
    }
  }

  private static void checkKeyBelongs(Vertx vertx, TlsFiles files, Buffer chain, Buffer key, X509Certificate leaf) {
    PrivateKey privateKey;
    try {
      KeyManager[] managers = new PemKeyCertOptions().addCertValue(chain).addKeyValue(key)
          .getKeyManagerFactory(vertx).getKeyManagers();
      X509KeyManager manager = (X509KeyManager) managers[0];
      privateKey = manager.getPrivateKey(manager.getServerAliases(leaf.getPublicKey().getAlgorithm(), null)[0]);
    } catch (Exception notAKey) {
      throw new ConfigException(files.key().origin() + ": not a PEM private key (PKCS#8, PKCS#1 or SEC 1): "
          + Failures.rootLine(notAKey));
    }
    if (!signsFor(privateKey, leaf)) {
      throw new ConfigException(files.key().origin() + ": does not belong to the certificate in "
          + files.certificate().key() + " (" + subjectOf(leaf) + ")");
    }
  }

  /** Signs a probe with the key and checks it with the certificate's public key. */
  private static boolean signsFor(PrivateKey privateKey, X509Certificate leaf) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      // A key type we cannot probe: the handshake will tell
      return true;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException mismatch) {
      return false;
    }
  }

  private static void checkNotExpired(PemFile file, X509Certificate leaf, Instant now) {
    if (leaf.getNotAfter().toInstant().isBefore(now)) {
      throw new ConfigException(file.origin() + ": the certificate " + subjectOf(leaf) + " expired on "
          + leaf.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS));
    }
    if (leaf.getNotBefore().toInstant().isAfter(now)) {
      throw new ConfigException(file.origin() + ": the certificate " + subjectOf(leaf) + " is not valid before "
          + leaf.getNotBefore().toInstant().truncatedTo(ChronoUnit.SECONDS));
    }
  }

  /** The other key of the pair: {@code server.tlsCertPath} and {@code server.tlsKeyPath}. */
  private static String partner(PemFile file) {
    String key = file.key();
    return key.endsWith("CertPath") ? key.replace("CertPath", "KeyPath") : key.replace("KeyPath", "CertPath");
  }

}
