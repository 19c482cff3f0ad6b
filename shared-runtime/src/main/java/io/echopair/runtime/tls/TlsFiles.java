package io.echopair.runtime.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * The PEM files of one side's TLS settings: its own certificate chain and key, and the certificate authorities it
 * trusts to sign the other side's certificate. Each is null when not set.
 */
public record TlsFiles(PemFile certificate, PemFile key, PemFile trust) {

  /** Whether this side presents a certificate of its own. */
  public boolean hasIdentity() {
    return certificate != null;
  }

  /** The files that are set, in the order certificate, key, trust. */
  public List<PemFile> all() {
    List<PemFile> files = new ArrayList<>(3);
    for (PemFile file : new PemFile[] {certificate, key, trust}) {
      if (file != null) {
        files.add(file);
      }
    }
    return files;
  }
}
