package io.echopair.server;

import ch.qos.logback.classic.Level;
import io.echopair.protocol.Frame;
import io.echopair.protocol.SenderId;
import io.echopair.runtime.logging.LineBatch;
import io.echopair.runtime.logging.LogFormat;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.event.KeyValuePair;

/**
 * The Recv Msg lines of some frames of one connection as one logging event: each frame's text and numbers, made into
 * its line, the same as {@link FrameLines} logs alone, where the line is written.
 */
final class FrameLineBatch extends LineBatch {

  static final String TAGGED = "Recv Msg : {} (peer {}, seq={})";
  static final String UNTAGGED = "Recv Msg : {} (peer {})";

  private final String peer;
  private String[] texts = new String[16];
  private boolean[] tagged = new boolean[16];
  private long[] sequences = new long[16];
  private long[] senderIds = new long[16];
  private int size;

  FrameLineBatch(Logger log, String peer) {
    super(log, Level.INFO);
    this.peer = peer;
  }

  void add(Frame frame) {
    if (size == texts.length) {
      grow();
    }
    texts[size] = frame.printableText();
    tagged[size] = frame.isTagged();
    if (frame.isTagged()) {
      sequences[size] = frame.sequence();
      senderIds[size] = frame.senderId();
    }
    size++;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  protected String message(int line) {
    return tagged[line] ? TAGGED : UNTAGGED;
  }

  @Override
  protected Object[] arguments(int line) {
    return tagged[line] ? new Object[] {texts[line], peer, sequences[line]} : new Object[] {texts[line], peer};
  }

  /** {@link #TAGGED} or {@link #UNTAGGED} with the frame's text, peer and seq in place, as logback formats them. */
  @Override
  protected String formattedMessage(int line) {
    StringBuilder message = new StringBuilder(texts[line].length() + peer.length() + 40);
    appendFormattedMessage(line, message);
    return message.toString();
  }

  @Override
  protected void appendFormattedMessage(int line, StringBuilder to) {
    to.append("Recv Msg : ").append(texts[line]).append(" (peer ").append(peer);
    if (tagged[line]) {
      to.append(", seq=").append(sequences[line]);
    }
    to.append(')');
  }

  /** The fields of a JSON line; none for text lines, as when logged alone. */
  @Override
  protected List<KeyValuePair> keyValuePairs(int line) {
    if (!LogFormat.JSON) {
      return null;
    }
    KeyValuePair text = new KeyValuePair("text", texts[line]);
    KeyValuePair from = new KeyValuePair("peer", peer);
    if (!tagged[line]) {
      return List.of(text, from);
    }
    return List.of(text, from, new KeyValuePair("seq", sequences[line]),
        new KeyValuePair("senderId", SenderId.text(senderIds[line])));
  }

  private void grow() {
    int capacity = texts.length * 2;
    texts = Arrays.copyOf(texts, capacity);
    tagged = Arrays.copyOf(tagged, capacity);
    sequences = Arrays.copyOf(sequences, capacity);
    senderIds = Arrays.copyOf(senderIds, capacity);
  }
}
