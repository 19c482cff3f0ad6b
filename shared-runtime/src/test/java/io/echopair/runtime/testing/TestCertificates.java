package io.echopair.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.net.Socket;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time, as PEM files in a test's own directory: a certificate authority, and the server and
 * client certificates it issues, good, expired or for another host. Nothing secret is ever committed.
 *
 * <pre>{@code
 * Authority ca = TestCertificates.authority(dir, "test CA");
 * Issued server = ca.issue("server").hosts("127.0.0.1", "localhost").write();
 * Issued client = ca.issue("sender-1").write();
 * }</pre>
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {
  }

  /** A new certificate authority, its certificate written to {@code dir/<file name>.crt}. */
  public static Authority authority(Path dir, String name) throws IOException {
    KeyPair keys = KeyKind.EC.generate();
    // Most significant first, so that RFC 2253 (which reverses) reads CN=name,O=echopair tests
    X500Name subject = new X500Name("O=echopair tests,CN=" + name);
    Instant now = Instant.now();
    X509Certificate certificate = sign(new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(Duration.ofDays(3650))), subject, keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), keys.getPrivate());
    Path file = dir.resolve(safeName(name) + ".crt");
    Files.writeString(file, pem(certificate));
    return new Authority(subject, keys, certificate, file, dir);
  }

  /** A bundle file holding the certificates of {@code authorities}, as a trust file may. */
  public static Path bundle(Path file, Authority... authorities) throws IOException {
    StringBuilder pem = new StringBuilder();
    for (Authority authority : authorities) {
      pem.append(Files.readString(authority.certificate()));
    }
    Files.writeString(file, pem);
    return file;
  }

  /** The kinds of key a test may ask for. */
  public enum KeyKind {
    /** P-256: quick to make, the default. */
    EC("EC", "SHA256withECDSA"),
    /** RSA 2048, written as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) unless asked for PKCS#8. */
    RSA("RSA", "SHA256withRSA");

    private final String algorithm;
    private final String signature;

    KeyKind(String algorithm, String signature) {
      this.algorithm = algorithm;
      this.signature = signature;
    }

    KeyPair generate() {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (this == EC) {
          generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
          generator.initialize(2048);
        }
        return generator.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A certificate authority of a test. */
  public static final class Authority {

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate x509;
    private final Path certificate;
    private final Path dir;

    private Authority(X500Name name, KeyPair keys, X509Certificate x509, Path certificate, Path dir) {
      this.name = name;
      this.keys = keys;
      this.x509 = x509;
      this.certificate = certificate;
      this.dir = dir;
    }

    /** The PEM file of the authority's certificate: what a trust bundle holds. */
    public Path certificate() {
      return certificate;
    }

    /** Starts a certificate for {@code commonName}, valid from a minute ago for a year. */
    public Request issue(String commonName) {
      return new Request(this, commonName);
    }
  }

  /** A certificate being described, then signed and written by {@link #write()}. */
  public static final class Request {

    private final Authority authority;
    private final String commonName;
    private final List<String> hosts = new ArrayList<>();
    private Instant notBefore = Instant.now().minusSeconds(60);
    private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
    private KeyKind keyKind = KeyKind.EC;
    private boolean pkcs8 = true;
    private String fileName;

    private Request(Authority authority, String commonName) {
      this.authority = authority;
      this.commonName = commonName;
      this.fileName = safeName(commonName);
    }

    /** The host names and IP addresses the certificate is for (its subject alternative names). */
    public Request hosts(String... names) {
      hosts.addAll(List.of(names));
      return this;
    }

    /** Valid until {@code when}; a time in the past makes an expired certificate. */
    public Request notAfter(Instant when) {
      notAfter = when;
      if (!notBefore.isBefore(when)) {
        notBefore = when.minus(Duration.ofDays(30));
      }
      return this;
    }

    /** An RSA key instead of EC, written as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
    public Request rsaPkcs1() {
      keyKind = KeyKind.RSA;
      pkcs8 = false;
      return this;
    }

    /** The files are {@code <name>.crt} and {@code <name>.key}; the common name by default. */
    public Request fileName(String name) {
      fileName = name;
      return this;
    }

    /** Signs the certificate and writes its chain (itself, then the authority) and its key. */
    public Issued write() throws IOException {
      KeyPair keys = keyKind.generate();
      X500Name subject = new X500Name("O=echopair tests,CN=" + commonName);
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(authority.name, serial(),
          Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (!hosts.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames());
      }
      X509Certificate certificate = sign(builder, authority.keys.getPrivate());
      Path certFile = authority.dir.resolve(fileName + ".crt");
      Path keyFile = authority.dir.resolve(fileName + ".key");
      Files.writeString(certFile, pem(certificate) + pem(authority.x509));
      Files.writeString(keyFile, pkcs8 ? pem(keys.getPrivate()) : pkcs1(keys.getPrivate()));
      return new Issued(certFile, keyFile, "CN=" + commonName + ",O=echopair tests", notAfter);
    }

    private GeneralNames alternativeNames() {
      List<GeneralName> names = new ArrayList<>();
      for (String host : hosts) {
        names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
      }
      return new GeneralNames(names.toArray(GeneralName[]::new));
    }
  }

  /**
   * A certificate written to files.
   *
   * @param certificate its chain, PEM
   * @param key         its private key, PEM
   * @param subject     its subject as RFC 2253 writes it, e.g. {@code CN=sender-1,O=echopair tests}
   * @param notAfter    when it expires
   */
  public record Issued(Path certificate, Path key, String subject, Instant notAfter) {

    /** The certificate and key as Vert.x options, read from the files. */
    public PemKeyCertOptions keyCertOptions() {
      return new PemKeyCertOptions().setCertPath(certificate.toString()).setKeyPath(key.toString());
    }

    /**
     * Options that present this certificate whatever the server asks for, as a hostile client would: a TLS client
     * otherwise only sends a certificate issued by one of the authorities the server names.
     */
    public KeyCertOptions insisting(Vertx vertx) throws Exception {
      X509KeyManager manager = (X509KeyManager) keyCertOptions().getKeyManagerFactory(vertx).getKeyManagers()[0];
      String alias = manager.getClientAliases("EC", null)[0];
      return KeyCertOptions.wrap(new X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {alias};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          return alias;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String name) {
          return manager.getCertificateChain(name);
        }

        @Override
        public PrivateKey getPrivateKey(String name) {
          return manager.getPrivateKey(name);
        }
      });
    }
  }

  private static boolean isAddress(String host) {
    if (!host.matches("[0-9.]+") && !host.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      String algorithm = signer.getAlgorithm().equals("EC") ? KeyKind.EC.signature : KeyKind.RSA.signature;
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static String safeName(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "-");
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      if (object instanceof PrivateKey key) {
        // PKCS#8: BEGIN PRIVATE KEY
        writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
      } else {
        writer.writeObject(object);
      }
    }
    return text.toString();
  }

  private static String pkcs1(PrivateKey key) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      byte[] rsa = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
      writer.writeObject(new PemObject("RSA PRIVATE KEY", rsa));
    }
    return text.toString();
  }
}
