package io.echopair.runtime.tls;

import io.echopair.runtime.Failures;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, in words an operator can act on, never a stack trace: "plain TCP on a TLS port", "no
 * client certificate", "certificate not signed by a trusted CA", "certificate expired", "certificate is not for
 * host 127.0.0.1". The same words with the JDK's engine and with OpenSSL, on either side.
 */
public final class HandshakeFailure {

  private HandshakeFailure() {
  }

  /**
   * Whether {@code failure} comes from TLS (a handshake that failed, an alert from the peer, bytes that are not TLS),
   * not from the network (refused, unreachable, reset before TLS began).
   */
  public static boolean isTls(Throwable failure) {
    return has(failure, SSLException.class) || has(failure, NotSslRecordException.class);
  }

  /**
   * The reason of a failed handshake, seen from a client that had a certificate of its own to present or not. One
   * that had none and is told its certificate is refused (the JDK's servers say {@code bad_certificate}, OpenSSL's
   * {@code certificate_required}) hears plainly that the peer requires one.
   */
  public static String describe(Throwable failure, boolean hasCertificate) {
    String text = allMessages(failure);
    if (!hasCertificate && refusedByPeer(text) != null && !text.contains("internal_error")) {
      return "the peer requires a client certificate and we have none";
    }
    return describe(failure);
  }

  /** The reason of a failed handshake, seen from the side that got {@code failure}. */
  public static String describe(Throwable failure) {
    String text = allMessages(failure);
    if (has(failure, NotSslRecordException.class)) {
      return "not TLS: plain TCP on a TLS port";
    }
    if (has(failure, SslHandshakeTimeoutException.class)) {
      return "handshake timed out";
    }
    String refusedByPeer = refusedByPeer(text);
    if (refusedByPeer != null) {
      return refusedByPeer;
    }
    if (has(failure, CertificateExpiredException.class) || text.contains("certificate has expired")
        || text.contains("certificate expired")) {
      return "certificate expired";
    }
    if (has(failure, CertificateNotYetValidException.class)) {
      return "certificate not yet valid";
    }
    if (text.contains("no subject alternative") || text.contains("no name matching")) {
      return "wrong host name: the certificate is not for " + hostIn(text);
    }
    if (text.contains("empty client certificate chain") || text.contains("null cert chain")
        || text.contains("peer_did_not_return_a_certificate")) {
      return "no client certificate";
    }
    if (has(failure, CertPathBuilderException.class) || has(failure, CertPathValidatorException.class)
        || text.contains("unable to find valid certification path") || text.contains("pkix path")) {
      return "certificate not signed by a trusted CA (unknown CA)";
    }
    if (text.contains("protocol_version") || text.contains("no appropriate protocol")
        || text.contains("unsupported_protocol") || text.contains("wrong_version_number")) {
      return "no TLS version in common (TLS 1.2 and 1.3 only)";
    }
    if (text.contains("unexpected handshake message: client_hello") || text.contains("unexpected_message")) {
      // What a client hears from a plain TCP echo server: its own hello back
      return "not TLS: the peer does not answer with TLS (a plain TCP port?)";
    }
    if (text.contains("handshake_failure") || text.contains("no cipher suites in common")
        || text.contains("no_shared_cipher")) {
      return "no cipher suite in common";
    }
    if (has(failure, ClosedChannelException.class) || text.contains("connection reset")
        || text.contains("closed") || text.contains("broken pipe")) {
      return "connection closed during the handshake";
    }
    return "handshake failed: " + Failures.rootLine(failure);
  }

  /** The alert of a peer that refused our certificate (or the lack of one), as the JDK and OpenSSL word it. */
  private static String refusedByPeer(String text) {
    if (!text.contains("received fatal alert") && !text.contains("sslv3_alert") && !text.contains("tlsv1_alert")
        && !text.contains("tlsv13_alert")) {
      return null;
    }
    if (text.contains("certificate_required")) {
      return "the peer requires a client certificate from a CA it trusts, and we sent none it accepts";
    }
    if (text.contains("unknown_ca")) {
      return "the peer refused our certificate: not signed by a CA it trusts (unknown CA)";
    }
    if (text.contains("certificate_expired")) {
      return "the peer refused our certificate: expired";
    }
    if (text.contains("bad_certificate") || text.contains("certificate_unknown")) {
      return "the peer refused our certificate, or its absence (bad certificate)";
    }
    if (text.contains("internal_error")) {
      // What an OpenSSL peer sends when its check of our certificate throws
      return "the peer refused our certificate or aborted the handshake (internal error)";
    }
    return null;
  }

  private static boolean has(Throwable failure, Class<? extends Throwable> kind) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (kind.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /** Every message of the cause chain, lower case, to match the JDK's and OpenSSL's wordings alike. */
  private static String allMessages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      text.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append('\n');
    }
    return text.toString().toLowerCase(Locale.ROOT);
  }

  /** The host of "No subject alternative names matching IP address 127.0.0.1 found" and its DNS variants. */
  private static String hostIn(String text) {
    int at = text.indexOf("matching");
    if (at < 0) {
      return "the host connected to";
    }
    String[] words = text.substring(at + "matching".length()).strip().split("\\s+");
    for (String word : words) {
      if (word.matches("[0-9a-f.:]+[0-9a-f]|[a-z0-9.-]+\\.[a-z0-9-]+|localhost") && !word.equals("address")) {
        return word;
      }
    }
    return "the host connected to";
  }

}
