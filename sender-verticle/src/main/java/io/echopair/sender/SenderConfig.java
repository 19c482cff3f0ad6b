package io.echopair.sender;

import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigValues;
import io.echopair.runtime.tls.TlsEngine;

/**
 * The sender's settings, checked once: where to connect, what and how fast to send, and the limits that bound memory.
 *
 * @param host                    host of the echo server
 * @param port                    port of the echo server
 * @param frameSize               bytes per frame; both sides must agree
 * @param intervalMs              period of each connection's ticks, which are spread over it
 * @param framesPerTick           frames each connection produces per tick
 * @param message                 text carried by every frame
 * @param count                   frames per connection before the sender finishes; 0 for no end
 * @param connections             TCP connections, each one stream with its own sender id and sequence
 * @param acks                    whether a frame is done when echoed (true) or when written (false)
 * @param queueCapacity           frames waiting to be written, per connection; the oldest are dropped beyond it
 * @param maxInFlight             frames written and not yet echoed (without acks: not yet flushed), per connection;
 *                                writing waits at this number
 * @param reconnectInitialDelayMs first reconnect delay
 * @param reconnectMaxDelayMs     longest reconnect delay
 * @param connectTimeoutMs        how long one connect attempt may take
 * @param drainTimeoutMs          how long to wait for the last echoes when {@code count} is reached or on stop
 * @param ackTimeoutMs            how long the oldest unacknowledged frame may wait for its echo before the connection
 *                                is dropped and the frame resent after a reconnect; 0 never
 * @param statsIntervalMs         period of the stats line; 0 for none
 * @param discovery               whether to look for an echo server on the event bus instead of host and port
 * @param tls                     how to speak TLS to the server; null for plain TCP
 */
public record SenderConfig(String host, int port, int frameSize, long intervalMs, int framesPerTick, String message,
                           long count, int connections, boolean acks, int queueCapacity, int maxInFlight,
                           long reconnectInitialDelayMs, long reconnectMaxDelayMs, int connectTimeoutMs,
                           long drainTimeoutMs, long statsIntervalMs, long ackTimeoutMs, boolean discovery,
                           SenderTls tls) {

  public static final String SECTION = "sender";

  // Key names used by scripts and by the live reload.
  static final String HOST = "host";
  static final String PORT = "port";
  static final String FRAME_SIZE = "frameSize";
  static final String INTERVAL_MS = "intervalMs";
  static final String FRAMES_PER_TICK = "framesPerTick";
  static final String MESSAGE = "message";
  static final String COUNT = "count";
  static final String CONNECTIONS = "connections";
  static final String ACKS = "acks";
  static final String QUEUE_CAPACITY = "queueCapacity";
  static final String MAX_IN_FLIGHT = "maxInFlight";
  static final String RECONNECT_INITIAL_DELAY_MS = "reconnectInitialDelayMs";
  static final String RECONNECT_MAX_DELAY_MS = "reconnectMaxDelayMs";
  static final String CONNECT_TIMEOUT_MS = "connectTimeoutMs";
  static final String DRAIN_TIMEOUT_MS = "drainTimeoutMs";
  static final String STATS_INTERVAL_MS = "statsIntervalMs";
  static final String DISCOVERY = "discovery";
  static final String ACK_TIMEOUT_MS = "ackTimeoutMs";
  static final String TLS_CA_PATH = "tlsCaPath";
  static final String TLS_VERIFY_HOST = "tlsVerifyHost";
  static final String TLS_CERT_PATH = "tlsCertPath";
  static final String TLS_KEY_PATH = "tlsKeyPath";
  static final String TLS_ENGINE = "tlsEngine";

  /** Every key of the section {@code sender}, with its default, range and meaning. */
  public static final ConfigSchema SCHEMA = ConfigSchema.section(SECTION)
      .string(HOST, "127.0.0.1", "Host of the echo server")
      .integer(PORT, 7777, 1, 65535, "Port of the echo server")
      .integer(FRAME_SIZE, FrameFormat.DEFAULT_FRAME_SIZE, FrameFormat.MIN_FRAME_SIZE, FrameFormat.MAX_FRAME_SIZE,
          "Bytes per frame; must equal the server's frameSize")
      .longInteger(INTERVAL_MS, 2000, 1, Long.MAX_VALUE, "Milliseconds between one connection's ticks, each of framesPerTick frames; the connections' ticks are spread over it (live)")
      .integer(FRAMES_PER_TICK, 1, 1, 100_000, "Frames each connection produces per tick (live)")
      .string(MESSAGE, "This Msg From Client", "Text carried by every frame (live)")
      .longInteger(COUNT, 0, 0, Long.MAX_VALUE, "Frames per connection before the sender finishes; 0 sends forever")
      .integer(CONNECTIONS, 1, 1, 10_000, "TCP connections, each with its own sender id and sequence")
      .bool(ACKS, true, "true: a frame is done when its echo comes back; false: when it is written")
      .integer(QUEUE_CAPACITY, 10_000, 1, 10_000_000, "Frames waiting to be written per connection; beyond it the oldest are dropped")
      .integer(MAX_IN_FLIGHT, 10_000, 1, 10_000_000, "Frames written but not yet echoed (acks) or not yet flushed (no acks) per connection; writing waits at this number")
      .longInteger(RECONNECT_INITIAL_DELAY_MS, 100, 1, Long.MAX_VALUE, "First reconnect delay; it doubles per failed attempt")
      .longInteger(RECONNECT_MAX_DELAY_MS, 1000, 1, Long.MAX_VALUE, "Longest reconnect delay")
      .bool(DISCOVERY, false, "Ask the cluster's event bus for an echo server instead of using host and port; look for another when it goes away")
      .integer(CONNECT_TIMEOUT_MS, 5000, 1, Integer.MAX_VALUE, "How long one connect attempt may take")
      .longInteger(DRAIN_TIMEOUT_MS, 10_000, 0, Long.MAX_VALUE, "How long to wait for the last echoes when count is reached or on stop")
      .longInteger(STATS_INTERVAL_MS, 10_000, 0, Long.MAX_VALUE, "Milliseconds between stats lines; 0 for none")
      .longInteger(ACK_TIMEOUT_MS, 5000, 0, Long.MAX_VALUE, "How long the oldest unacknowledged frame may wait for its echo before the connection is dropped and the frame resent; 0 never")
      .optionalString(TLS_CA_PATH, "PEM bundle of the CAs that sign the server's certificate; set, it turns TLS on. Empty: plain TCP")
      .bool(TLS_VERIFY_HOST, true, "With TLS: the server's certificate must be for the host connected to (host, or the discovered server's)")
      .optionalString(TLS_CERT_PATH, "With TLS: PEM certificate chain the sender presents to a server that requires one (mutual TLS); with tlsKeyPath")
      .optionalString(TLS_KEY_PATH, "With TLS: PEM private key of tlsCertPath (PKCS#8, PKCS#1 or SEC 1)")
      .string(TLS_ENGINE, "auto", "TLS implementation: " + TlsEngine.CHOICES + "; auto is OpenSSL when it loads, else the JDK's",
          TlsEngine::isName, "must be " + TlsEngine.CHOICES);

  /** The settings of a checked section, with the checks that involve more than one key. */
  public static SenderConfig from(ConfigValues values) {
    int frameSize = values.integer(FRAME_SIZE);
    String message = values.string(MESSAGE);
    checkFits(message, frameSize);
    long initialDelay = values.longInteger(RECONNECT_INITIAL_DELAY_MS);
    long maxDelay = values.longInteger(RECONNECT_MAX_DELAY_MS);
    if (maxDelay < initialDelay) {
      throw ConfigException.invalid(SECTION, RECONNECT_MAX_DELAY_MS, maxDelay,
          "must be at least " + RECONNECT_INITIAL_DELAY_MS + " (" + initialDelay + ")");
    }
    return new SenderConfig(values.string(HOST), values.integer(PORT), frameSize, values.longInteger(INTERVAL_MS),
        values.integer(FRAMES_PER_TICK), message, values.longInteger(COUNT), values.integer(CONNECTIONS),
        values.bool(ACKS), values.integer(QUEUE_CAPACITY), values.integer(MAX_IN_FLIGHT), initialDelay, maxDelay,
        values.integer(CONNECT_TIMEOUT_MS), values.longInteger(DRAIN_TIMEOUT_MS), values.longInteger(STATS_INTERVAL_MS),
        values.longInteger(ACK_TIMEOUT_MS), values.bool(DISCOVERY), SenderTls.from(values));
  }

  private static void checkFits(String message, int frameSize) {
    try {
      new FrameFormat(frameSize).encodeText(message);
    } catch (IllegalArgumentException doesNotFit) {
      throw ConfigException.invalid(SECTION, MESSAGE, message, doesNotFit.getMessage());
    }
  }

  /** The same settings with another port: the one a server of the same application listens on. */
  SenderConfig withPort(int port) {
    return new SenderConfig(host, port, frameSize, intervalMs, framesPerTick, message, count, connections, acks,
        queueCapacity, maxInFlight, reconnectInitialDelayMs, reconnectMaxDelayMs, connectTimeoutMs, drainTimeoutMs,
        statsIntervalMs, ackTimeoutMs, discovery, tls);
  }

  public FrameFormat format() {
    return new FrameFormat(frameSize);
  }

  /** {@link #message()} as it goes on the wire: UTF-8, known to fit a frame since {@link #from} checked it. */
  public byte[] encodedMessage() {
    return format().encodeText(message);
  }

  /** Whether the sender stops producing after {@link #count()} frames per connection. */
  public boolean finite() {
    return count > 0;
  }

  /** Whether connections are TLS: {@code tlsCaPath} is set. */
  public boolean usesTls() {
    return tls != null;
  }

  /**
   * The same settings with the live keys taken from {@code newer}.
   *
   * @throws ConfigException when the new message does not fit the frame size in force (a new frameSize waits for a
   *                         restart)
   */
  SenderConfig withLiveKeysOf(SenderConfig newer) {
    checkFits(newer.message, frameSize);
    return new SenderConfig(host, port, frameSize, newer.intervalMs, newer.framesPerTick, newer.message, count,
        connections, acks, queueCapacity, maxInFlight, reconnectInitialDelayMs, reconnectMaxDelayMs, connectTimeoutMs,
        drainTimeoutMs, statsIntervalMs, ackTimeoutMs, discovery, tls);
  }
}
