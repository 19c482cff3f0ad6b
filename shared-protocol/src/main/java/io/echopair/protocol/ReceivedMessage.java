package io.echopair.protocol;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One frame an echo server received, as it publishes it on the event bus for any verticle of the cluster to consume
 * (the server's {@code publish} and {@code publishAddress} keys; the monitor's {@code address}).
 *
 * <p>As JSON: {@code {"text": "This Msg From Client", "seq": 17, "senderId": "00c0ffee00c0ffee",
 * "peer": "127.0.0.1:53422", "serverId": "3fa2b7c1", "time": "2025-11-24T04:54:28.250Z"}}; {@code seq} and
 * {@code senderId} are absent for a frame without echopair's trailer (the seed's client). {@code "repeat": true}
 * marks a frame whose sequence number the server had logged before, arriving without the resent flag: logged again
 * rather than hidden (a late original after its resend, or another client using the sender's id).
 *
 * @param text     the frame's text, printable
 * @param sequence its sequence number; null for an untagged frame
 * @param senderId the sending stream's id in hex; null for an untagged frame
 * @param peer     the client's address as the server sees it
 * @param serverId the server deployment that received it
 * @param time     when the server received it
 * @param repeat   whether the server had logged this sequence number of this sender before
 */
public record ReceivedMessage(String text, Long sequence, String senderId, String peer, String serverId, Instant time,
                              boolean repeat) {

  /** A frame logged for the first time. */
  public ReceivedMessage(String text, Long sequence, String senderId, String peer, String serverId, Instant time) {
    this(text, sequence, senderId, peer, serverId, time, false);
  }

  /** The address the servers publish on and the monitor listens to, unless configured otherwise. */
  public static final String DEFAULT_ADDRESS = "echopair.messages";

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("text", text);
    if (sequence != null) {
      json.put("seq", sequence).put("senderId", senderId);
    }
    json.put("peer", peer).put("serverId", serverId).put("time", time.toString());
    return repeat ? json.put("repeat", true) : json;
  }

  /**
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  public static ReceivedMessage fromJson(JsonObject json) {
    try {
      String text = json.getString("text");
      String peer = json.getString("peer");
      String serverId = json.getString("serverId");
      String time = json.getString("time");
      if (text == null || peer == null || serverId == null || time == null) {
        throw new IllegalArgumentException("not a received message: " + json.encode());
      }
      return new ReceivedMessage(text, json.getLong("seq"), json.getString("senderId"), peer, serverId,
          Instant.parse(time), json.getBoolean("repeat", false));
    } catch (ClassCastException | java.time.format.DateTimeParseException wrong) {
      throw new IllegalArgumentException("not a received message: " + json.encode(), wrong);
    }
  }
}
