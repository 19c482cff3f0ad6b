package io.echopair.server;

import io.echopair.runtime.tls.TlsCredentials;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who a client is, as far as the server can tell: the subject of its certificate under mutual TLS, else only its
 * address.
 *
 * @param scope     where its sender ids are known ({@link SenderView}): no other identity can speak for them
 * @param connected how the connect line says it connected: {@code ""}, {@code " over TLS"}, {@code " as CN=..."}
 */
record ClientIdentity(String scope, String connected) {

  /** A client on plain TCP: known by its address. */
  static ClientIdentity plain(String address) {
    return new ClientIdentity(address, "");
  }

  /** A client whose TLS handshake succeeded: known by its certificate's subject when it presented one. */
  static ClientIdentity afterHandshake(NetSocket socket, String address) {
    X509Certificate certificate = certificateOf(socket);
    if (certificate == null) {
      return new ClientIdentity(address, " over TLS");
    }
    String subject = TlsCredentials.subjectOf(certificate);
    return new ClientIdentity(subject, " as " + subject);
  }

  private static X509Certificate certificateOf(NetSocket socket) {
    try {
      List<Certificate> chain = socket.peerCertificates();
      return chain != null && !chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf ? leaf : null;
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }
}
