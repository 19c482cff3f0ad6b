package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.SenderId;
import io.echopair.runtime.logging.LineBatch;
import io.echopair.runtime.logging.LogFormat;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The Recv Msg lines of one connection: the lines of a read go to the log as one {@link FrameLineBatch} where the
 * appenders write batches line by line (as conf/logback.xml sets them up), and one by one elsewhere. Either way each
 * line reads the same, and they come in the order of the frames.
 */
final class FrameLines {

  /**
   * Lines per batch at most: a 64 KiB read of 100-byte frames is three batches, each one write of about 32 KB where
   * the lines are written. {@link LogBacklog} counts each queued batch as {@value LogBacklog#LINES_PER_EVENT} lines.
   */
  static final int LINES_PER_BATCH = 256;

  private final Logger log;
  private final String peer;
  // Whether this read's lines go in batches: decided at its first line, as a test or a user may change the appenders
  private boolean decided;
  private boolean batching;
  private FrameLineBatch batch;

  /** @param log the logger of the lines, whose level and appenders decide */
  FrameLines(Logger log, String peer) {
    this.log = log;
    this.peer = peer;
  }

  /** Logs the line of a new valid frame, or keeps it for the read's batch. */
  void add(Frame frame) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (!decided) {
      batching = LineBatch.canLogTo(log);
      decided = true;
    }
    if (!batching) {
      logAlone(frame);
      return;
    }
    if (batch == null) {
      batch = new FrameLineBatch(log, peer);
    }
    batch.add(frame);
    if (batch.size() == LINES_PER_BATCH) {
      log(batch);
    }
  }

  /** Hands the lines kept to the log: at the end of each read, and before any other line about the connection. */
  void flush() {
    if (batch != null) {
      log(batch);
    }
    decided = false;
  }

  private void log(FrameLineBatch full) {
    batch = null;
    full.log();
  }

  private void logAlone(Frame frame) {
    if (LogFormat.JSON) {
      logAloneWithFields(frame);
    } else if (frame.isTagged()) {
      log.info(FrameLineBatch.TAGGED, frame.printableText(), peer, frame.sequence());
    } else {
      log.info(FrameLineBatch.UNTAGGED, frame.printableText(), peer);
    }
  }

  /** The same line with the frame's fields attached, for JSON lines: only then, as they cost a builder per frame. */
  private void logAloneWithFields(Frame frame) {
    String text = frame.printableText();
    LoggingEventBuilder line = log.atInfo().addKeyValue("text", text).addKeyValue("peer", peer);
    if (frame.isTagged()) {
      line.addKeyValue("seq", frame.sequence()).addKeyValue("senderId", SenderId.text(frame.senderId()))
          .log(FrameLineBatch.TAGGED, text, peer, frame.sequence());
    } else {
      line.log(FrameLineBatch.UNTAGGED, text, peer);
    }
  }
}
