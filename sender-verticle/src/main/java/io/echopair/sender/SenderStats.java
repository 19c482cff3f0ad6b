package io.echopair.sender;

import java.util.List;
import java.util.Locale;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Totals over the streams of one sender verticle at one moment.
 *
 * @param produced     frames made by the ticks
 * @param sent         frames written to sockets, resends included
 * @param completed    frames done: echoed (acks) or written (no acks)
 * @param outstanding  frames neither done nor dropped: queued, in flight or being written
 * @param dropped      frames dropped from full queues
 * @param reconnects   connections made again after a failed attempt or a lost connection
 * @param unexpected   echoes that matched no frame in flight (unknown sequence, other sender id, bad checksum)
 * @param acks         whether {@code completed} counts echoes
 */
public record SenderStats(long produced, long sent, long completed, long outstanding, long dropped, long reconnects,
                          long unexpected, boolean acks) {

  static SenderStats of(List<ReconnectLoop> streams, boolean acks) {
    long produced = 0;
    long sent = 0;
    long completed = 0;
    long outstanding = 0;
    long dropped = 0;
    long reconnects = 0;
    long unexpected = 0;
    for (ReconnectLoop stream : streams) {
      OutboundQueue queue = stream.queue();
      produced += queue.produced();
      sent += queue.sent();
      completed += queue.completed();
      outstanding += queue.outstanding();
      dropped += queue.dropped();
      reconnects += stream.reconnects();
      unexpected += stream.unexpectedEchoes();
    }
    return new SenderStats(produced, sent, completed, outstanding, dropped, reconnects, unexpected, acks);
  }

  /** Whether every produced frame got through: none dropped, none left outstanding. */
  public boolean allDone() {
    return dropped == 0 && outstanding == 0;
  }

  /**
   * The body of the periodic stats line, without the RTT part: {@code sent 1234 (123.4/s), acknowledged 1230,
   * pending 4, dropped 0, reconnects 1}.
   *
   * @param sentBefore {@link #sent()} at the previous line
   * @param elapsedMs  time since the previous line
   */
  String describeRate(long sentBefore, long elapsedMs) {
    String line = String.format(Locale.ROOT, "sent %d (%.1f/s), %s %d, pending %d, dropped %d, reconnects %d",
        sent, sentPerSecond(sentBefore, elapsedMs), acks ? "acknowledged" : "written", completed, outstanding, dropped, reconnects);
    return unexpected > 0 ? line + ", unexpected echoes " + unexpected : line;
  }

  /** The figures of {@link #describeRate} as fields; {@code written} for {@code acknowledged} without acks. */
  LoggingEventBuilder addRateFigures(long sentBefore, long elapsedMs, LoggingEventBuilder line) {
    double perSecond = sentPerSecond(sentBefore, elapsedMs);
    return line.addKeyValue("sent", sent).addKeyValue("sentPerSecond", Math.round(perSecond * 10) / 10.0)
        .addKeyValue(acks ? "acknowledged" : "written", completed).addKeyValue("pending", outstanding)
        .addKeyValue("dropped", dropped).addKeyValue("reconnects", reconnects)
        .addKeyValue("unexpectedEchoes", unexpected);
  }

  private double sentPerSecond(long sentBefore, long elapsedMs) {
    return elapsedMs > 0 ? (sent - sentBefore) * 1000.0 / elapsedMs : 0;
  }

  /** The figures of {@link #describeFinal} as fields of the line, named as it names them. */
  LoggingEventBuilder addFinalFigures(LoggingEventBuilder line) {
    return line.addKeyValue("produced", produced).addKeyValue(acks ? "acknowledged" : "written", completed)
        .addKeyValue("dropped", dropped).addKeyValue(acks ? "unacknowledged" : "unwritten", outstanding);
  }

  /**
   * The body of the final line: {@code produced 10, acknowledged 9, dropped on queue overflow 0, unacknowledged at
   * exit 1}.
   */
  String describeFinal() {
    return acks
        ? String.format(Locale.ROOT, "produced %d, acknowledged %d, dropped on queue overflow %d, unacknowledged at exit %d",
            produced, completed, dropped, outstanding)
        : String.format(Locale.ROOT, "produced %d, written %d, dropped on queue overflow %d, unwritten at exit %d",
            produced, completed, dropped, outstanding);
  }
}
