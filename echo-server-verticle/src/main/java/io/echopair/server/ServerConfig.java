package io.echopair.server;

import io.echopair.protocol.FrameFormat;
import io.echopair.protocol.ReceivedMessage;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.tls.PemFile;
import io.echopair.runtime.tls.TlsEngine;
import io.echopair.runtime.tls.TlsFiles;
import java.util.Locale;
import java.util.Set;

/**
 * The echo server's settings, checked once by {@link #SCHEMA}, where every default is stated.
 *
 * @param host                where to listen; {@code 0.0.0.0} is every interface
 * @param port                where to listen; 0 lets the OS choose (the instances of a deployment then share it)
 * @param frameSize           bytes per frame, as the clients send them
 * @param echo                whether frames are written back
 * @param logEvery            log every Nth frame of a connection; 0 logs none
 * @param statsIntervalMs     how often the stats line is logged
 * @param idleTimeoutSeconds  close a connection that sent nothing for this long; 0 never
 * @param frameTimeoutSeconds close a connection whose unfinished frame waited this long for its end; 0 never
 * @param writeQueueMaxBytes  echo bytes queued per connection before the server stops reading from it
 * @param closeTimeoutSeconds how long a connection the server closes may take to flush its echoes before it is cut
 * @param dedupWindow         sequence numbers remembered per sender above its highest contiguous one, to recognise
 *                            resent frames
 * @param maxTrackedSenders   senders whose sequences are remembered; the one idle longest is forgotten beyond it
 * @param maxConnections      connections open at once; more are refused
 * @param maxConnectionsPerAddress connections open at once from one client address; more are refused
 * @param tlsFiles            the PEM files of TLS on the frame port (certificate chain, key, client CA bundle), or
 *                            null for plain TCP
 * @param tlsEngine           which TLS implementation encrypts
 * @param cluster             what the server shows of itself on the event bus (advertised host, publishing)
 */
public record ServerConfig(String host, int port, int frameSize, boolean echo, int logEvery, int statsIntervalMs,
                           int idleTimeoutSeconds, int frameTimeoutSeconds, int writeQueueMaxBytes,
                           int closeTimeoutSeconds, int dedupWindow, int maxTrackedSenders, int maxConnections,
                           int maxConnectionsPerAddress, TlsFiles tlsFiles, TlsEngine tlsEngine,
                           ClusterSettings cluster) {

  /** The keys a running server applies at once; every other key needs a restart. */
  public static final Set<String> LIVE_KEYS = Set.of("logEvery", "statsIntervalMs");

  private static final String TLS_CERT_PATH = "tlsCertPath";
  private static final String TLS_KEY_PATH = "tlsKeyPath";
  private static final String TLS_CLIENT_CA_PATH = "tlsClientCaPath";

  public static final ConfigSchema SCHEMA = ConfigSchema.section("server")
      .string("host", "0.0.0.0", "Address to listen on; 0.0.0.0 listens on every interface")
      .integer("port", 7777, 0, 65535, "TCP port to listen on; 0 lets the OS choose one")
      // The cluster's keys, read by ClusterSettings
      .string(ClusterSettings.ADVERTISED_HOST, ClusterSettings.AUTO,
          "Host senders that look for a server on the event bus are told to connect to; auto: the listen host, or if that is 0.0.0.0, this node's event bus host (127.0.0.1 without a cluster)",
          ClusterSettings::connectable, "must be a host senders can connect to, not a wildcard")
      .bool(ClusterSettings.PUBLISH, false, "Publish every received frame on the event bus, at publishAddress")
      .string(ClusterSettings.PUBLISH_ADDRESS, ReceivedMessage.DEFAULT_ADDRESS, "Event-bus address of the received frames when publish is on")
      .string(ClusterSettings.PUBLISH_FORMAT, ClusterSettings.BATCH,
          "batch: the frames of one read as one binary message (what the monitor reads, fastest); json: one JSON message per frame",
          format -> format.equals(ClusterSettings.BATCH) || format.equals(ClusterSettings.JSON), "must be batch or json")
      .integer(ClusterSettings.PUBLISH_BACKLOG_BYTES, 4 << 20, 1, Integer.MAX_VALUE,
          "Bytes of published messages an event loop lets wait for the event bus; a read that finds more is not published, counted as dropped")
      .integer("frameSize", FrameFormat.DEFAULT_FRAME_SIZE, FrameFormat.MIN_FRAME_SIZE, FrameFormat.MAX_FRAME_SIZE,
          "Bytes per frame; must match the clients (the seed's client sends 100)")
      .bool("echo", true, "Write every good frame back to its sender")
      .integer("logEvery", 1, 0, Integer.MAX_VALUE,
          "Log a 'Recv Msg' line for every Nth frame of a connection; 0 logs none (applies live)")
      .integer("statsIntervalMs", 10_000, 100, Integer.MAX_VALUE,
          "Milliseconds between two stats lines (applies live)")
      .integer("idleTimeoutSeconds", 60, 0, Integer.MAX_VALUE,
          "Close a connection that sent nothing for this many seconds; 0 never does (the seed's client sends every 2 s)")
      .integer("frameTimeoutSeconds", 10, 0, Integer.MAX_VALUE,
          "Close a connection whose unfinished frame waited this many seconds for its last byte; 0 never does")
      .integer("writeQueueMaxBytes", 65_536, 1024, 1 << 30,
          "Echo bytes queued per connection before the server stops reading from that client")
      .integer("closeTimeoutSeconds", 10, 0, 3600,
          "Seconds a connection the server closes (idle timeout, server stopping) may take to flush its echoes before it is cut")
      .integer("dedupWindow", 16_384, 64, 1 << 24,
          "Sequence numbers remembered per sender above its highest contiguous one, to recognise resent frames; at least the senders' maxInFlight")
      .integer("maxTrackedSenders", 10_000, 1, 1_000_000,
          "Senders whose sequence numbers are remembered; beyond it the one idle longest is forgotten")
      .integer("maxConnections", 10_000, 1, 1_000_000,
          "Connections open at once; more are refused")
      .integer("maxConnectionsPerAddress", 1_000, 1, 1_000_000,
          "Connections open at once from one client address; more are refused")
      .optionalString(TLS_CERT_PATH, "PEM certificate chain of the server, its own certificate first; with tlsKeyPath, turns TLS on (TLS 1.2 and 1.3); empty: plain TCP")
      .optionalString(TLS_KEY_PATH, "PEM private key of tlsCertPath (PKCS#8, PKCS#1 or SEC 1)")
      .optionalString(TLS_CLIENT_CA_PATH, "PEM bundle of the authorities that sign client certificates; set, every client must present a certificate they signed (mutual TLS), and its subject is its identity")
      .string("tlsEngine", "auto", "TLS implementation: auto (OpenSSL when it loads, else the JDK's), openssl or jdk",
          TlsEngine::isName, "must be " + TlsEngine.CHOICES);

  /** The settings in {@code values}, checked against this JVM's heap too ({@link #checkFits}). */
  public static ServerConfig from(ConfigValues values) {
    ServerConfig config = new ServerConfig(
        values.string("host"),
        values.integer("port"),
        values.integer("frameSize"),
        values.bool("echo"),
        values.integer("logEvery"),
        values.integer("statsIntervalMs"),
        values.integer("idleTimeoutSeconds"),
        values.integer("frameTimeoutSeconds"),
        values.integer("writeQueueMaxBytes"),
        values.integer("closeTimeoutSeconds"),
        values.integer("dedupWindow"),
        values.integer("maxTrackedSenders"),
        values.integer("maxConnections"),
        values.integer("maxConnectionsPerAddress"),
        tlsFiles(values),
        TlsEngine.of(values.string("tlsEngine")),
        ClusterSettings.from(values));
    config.checkFits(Runtime.getRuntime().maxMemory());
    return config;
  }

  /** These settings with the {@link #LIVE_KEYS} of {@code next}: what a running server uses after a change. */
  public ServerConfig withLiveKeysOf(ServerConfig next) {
    return new ServerConfig(host, port, frameSize, echo, next.logEvery, next.statsIntervalMs, idleTimeoutSeconds,
        frameTimeoutSeconds, writeQueueMaxBytes, closeTimeoutSeconds, dedupWindow, maxTrackedSenders, maxConnections,
        maxConnectionsPerAddress, tlsFiles, tlsEngine, cluster);
  }

  /** Whether the frame port speaks TLS. */
  public boolean tls() {
    return tlsFiles != null;
  }

  /** Whether every client must present a certificate signed by the authorities of tlsClientCaPath. */
  public boolean clientCertificatesRequired() {
    return tlsFiles != null && tlsFiles.trust() != null;
  }

  /**
   * The TLS files the values name, or null when none is set; the certificate and its key are checked as a pair when
   * they are read ({@link io.echopair.runtime.tls.TlsCredentials#load}).
   */
  private static TlsFiles tlsFiles(ConfigValues values) {
    String section = values.section() + ".";
    PemFile certificate = PemFile.of(section + TLS_CERT_PATH, values.string(TLS_CERT_PATH));
    PemFile key = PemFile.of(section + TLS_KEY_PATH, values.string(TLS_KEY_PATH));
    PemFile clientCa = PemFile.of(section + TLS_CLIENT_CA_PATH, values.string(TLS_CLIENT_CA_PATH));
    if (clientCa != null && certificate == null) {
      throw new ConfigException(clientCa.key() + " is set without " + section + TLS_CERT_PATH
          + ": requiring client certificates needs TLS, so set tlsCertPath and tlsKeyPath too");
    }
    if (certificate == null && key == null) {
      return null;
    }
    return new TlsFiles(certificate, key, clientCa);
  }

  /**
   * Checks that duplicate tracking fits the heap even at its worst: every tracked sender with a full window may use at
   * most a quarter of the largest heap this JVM may have.
   *
   * @throws ConfigException naming both keys, what they may take and the heap
   */
  public void checkFits(long maxHeapBytes) {
    long worst = DeliveryLedger.worstCaseBytes(dedupWindow, maxTrackedSenders);
    if (worst > maxHeapBytes / 4) {
      throw new ConfigException(String.format(Locale.ROOT,
          "server.dedupWindow = %d with server.maxTrackedSenders = %d may take up to %s of heap for duplicate "
              + "tracking, more than a quarter of this JVM's %s heap (-Xmx): lower one of them, or give it more heap",
          dedupWindow, maxTrackedSenders, megabytes(worst), megabytes(maxHeapBytes)));
    }
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }

  public FrameFormat frameFormat() {
    return new FrameFormat(frameSize);
  }
}
