package io.echopair.runtime.tls;

import io.echopair.runtime.config.ConfigException;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import java.util.Locale;

/**
 * Which TLS implementation encrypts: OpenSSL (BoringSSL, through netty-tcnative) when it loads on this machine, as it
 * is the faster (docs/BENCHMARKS.md), else the JDK's own. The {@code tlsEngine} key can insist on either.
 */
public enum TlsEngine {

  /** OpenSSL when it loads, else the JDK. */
  AUTO,
  /** OpenSSL; a start where it does not load is a configuration error. */
  OPENSSL,
  /** The JDK's SSLEngine. */
  JDK;

  /** The values of a {@code tlsEngine} key, as the schema's description lists them. */
  public static final String CHOICES = "auto, openssl or jdk";

  /** Whether {@code text} names an engine ({@code auto}, {@code openssl}, {@code jdk}, in any case). */
  public static boolean isName(String text) {
    try {
      of(text);
      return true;
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }

  public static TlsEngine of(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT));
  }

  /**
   * The engine options to give Vert.x.
   *
   * @param key how an error names the setting, e.g. {@code server.tlsEngine}
   * @throws ConfigException when OpenSSL is asked for and does not load here
   */
  public SSLEngineOptions options(String key) {
    boolean openSsl = OpenSSLEngineOptions.isAvailable();
    if (this == OPENSSL && !openSsl) {
      throw new ConfigException(key + " = \"openssl\": OpenSSL does not load on this machine ("
          + unavailability() + "); use auto or jdk");
    }
    return this != JDK && openSsl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /** How a log line names the engine of {@code options}: {@code OpenSSL} or {@code JDK}. */
  public static String describe(SSLEngineOptions options) {
    return options instanceof OpenSSLEngineOptions ? "OpenSSL" : "JDK";
  }

  private static String unavailability() {
    Throwable cause = io.netty.handler.ssl.OpenSsl.unavailabilityCause();
    return cause == null ? "unknown reason" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
