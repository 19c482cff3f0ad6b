package io.echopair.server;

import io.echopair.protocol.FrameFormat;
import io.echopair.runtime.cluster.ReceivedMessage;
import io.echopair.runtime.config.ConfigSchema;
import io.echopair.runtime.config.ConfigValues;

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
 * @param writeQueueMaxBytes  echo bytes queued per connection before the server stops reading from it
 * @param closeTimeoutSeconds how long a connection the server closes may take to flush its echoes before it is cut
 * @param dedupWindow         sequence numbers remembered per sender above its highest contiguous one, to recognise
 *                            resent frames
 * @param maxTrackedSenders   senders whose sequences are remembered; the least recently seen is forgotten beyond it
 */
public record ServerConfig(String host, int port, int frameSize, boolean echo, int logEvery, int statsIntervalMs,
                           int idleTimeoutSeconds, int writeQueueMaxBytes, int closeTimeoutSeconds,
                           int dedupWindow, int maxTrackedSenders) {

  public static final ConfigSchema SCHEMA = ConfigSchema.section("server")
      .string("host", "0.0.0.0", "Address to listen on; 0.0.0.0 listens on every interface")
      .integer("port", 7777, 0, 65535, "TCP port to listen on; 0 lets the OS choose one")
      // The cluster's keys, read by ClusterSettings
      .string(ClusterSettings.ADVERTISED_HOST, ClusterSettings.AUTO,
          "Host senders that look for a server on the event bus are told to connect to; auto: the listen host, or if that is 0.0.0.0, this node's event bus host (127.0.0.1 without a cluster)",
          ClusterSettings::connectable, "must be a host senders can connect to, not a wildcard")
      .bool(ClusterSettings.PUBLISH, false, "Publish every received frame as JSON on the event bus, at publishAddress")
      .string(ClusterSettings.PUBLISH_ADDRESS, ReceivedMessage.DEFAULT_ADDRESS, "Event-bus address of the received frames when publish is on")
      .integer("frameSize", FrameFormat.DEFAULT_FRAME_SIZE, FrameFormat.MIN_FRAME_SIZE, FrameFormat.MAX_FRAME_SIZE,
          "Bytes per frame; must match the clients (the seed's client sends 100)")
      .bool("echo", true, "Write every good frame back to its sender")
      .integer("logEvery", 1, 0, Integer.MAX_VALUE,
          "Log a 'Recv Msg' line for every Nth frame of a connection; 0 logs none (applies live)")
      .integer("statsIntervalMs", 10_000, 100, Integer.MAX_VALUE,
          "Milliseconds between two stats lines (applies live)")
      .integer("idleTimeoutSeconds", 0, 0, Integer.MAX_VALUE,
          "Close a connection that sent nothing for this many seconds; 0 never does")
      .integer("writeQueueMaxBytes", 65_536, 1024, 1 << 30,
          "Echo bytes queued per connection before the server stops reading from that client")
      .integer("closeTimeoutSeconds", 10, 0, 3600,
          "Seconds a connection the server closes (idle timeout, server stopping) may take to flush its echoes before it is cut")
      .integer("dedupWindow", 16_384, 64, 1 << 24,
          "Sequence numbers remembered per sender above its highest contiguous one, to recognise resent frames; at least the senders' maxInFlight")
      .integer("maxTrackedSenders", 10_000, 1, 1_000_000,
          "Senders whose sequence numbers are remembered; beyond it the least recently seen is forgotten");

  public static ServerConfig from(ConfigValues values) {
    return new ServerConfig(
        values.string("host"),
        values.integer("port"),
        values.integer("frameSize"),
        values.bool("echo"),
        values.integer("logEvery"),
        values.integer("statsIntervalMs"),
        values.integer("idleTimeoutSeconds"),
        values.integer("writeQueueMaxBytes"),
        values.integer("closeTimeoutSeconds"),
        values.integer("dedupWindow"),
        values.integer("maxTrackedSenders"));
  }

  public FrameFormat frameFormat() {
    return new FrameFormat(frameSize);
  }
}
