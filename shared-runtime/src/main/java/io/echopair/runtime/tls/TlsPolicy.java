package io.echopair.runtime.tls;

import java.util.List;
import java.util.Set;

/**
 * What every TLS connection of echopair may negotiate, frame port and event bus alike: TLS 1.3 and 1.2 only, and in
 * TLS 1.2 only forward-secret key exchange (ECDHE) with authenticated encryption (AES-GCM, ChaCha20-Poly1305). The
 * engines' own defaults allow more: Vert.x hands OpenSSL every suite it has, CBC and static RSA included.
 */
public final class TlsPolicy {

  /** The protocol versions, newest first. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  /** The cipher suites, in order of preference, by their standard names (both engines take them). */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {
  }
}
