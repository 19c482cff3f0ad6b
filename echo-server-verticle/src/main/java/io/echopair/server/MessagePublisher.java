package io.echopair.server;

import io.echopair.protocol.Frame;
import io.echopair.protocol.ReceivedBatch;
import io.echopair.protocol.ReceivedBatchBuilder;
import io.echopair.protocol.ReceivedBatchCodec;
import io.echopair.protocol.ReceivedMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageProducer;
import java.time.Instant;
import java.util.function.Function;

/**
 * Publishes the frames a server instance receives on the event bus, for any verticle of the cluster to consume (the
 * monitor logs them): the new frames of one read as one {@link ReceivedBatch}, or with {@code publishFormat} json, as
 * one {@link ReceivedMessage} each. One per event loop; off, it costs one check per frame.
 *
 * <p>A slow consumer cannot pile up the server's memory: at most {@code publishBacklogBytes} of batches may wait to be
 * written to the event bus. A read that finds that much waiting is not published; its frames are counted as dropped
 * (the stats line, {@code echopair_server_stream_dropped_frames_total}) and the next batch says how many.
 */
final class MessagePublisher {

  /** Publishes nothing. */
  static final MessagePublisher OFF = new MessagePublisher(null, null, 0, null);

  // Where a batch goes; completes once written to the event bus (to the first node, when several consume)
  private final Function<ReceivedBatch, Future<Void>> sink;
  private final String serverId;
  private final long backlogBytes;
  private final ServerStats stats;
  private final ReceivedBatchBuilder batch = new ReceivedBatchBuilder();
  // Bytes of the batches handed to the event bus and not yet written out
  private long waitingBytes;
  // Frames dropped since the last batch published, which that batch will tell
  private long droppedSinceLast;

  MessagePublisher(Function<ReceivedBatch, Future<Void>> sink, String serverId, long backlogBytes, ServerStats stats) {
    this.sink = sink;
    this.serverId = serverId;
    this.backlogBytes = backlogBytes;
    this.stats = stats;
  }

  /** Publishes to {@code settings}' address in its format, for this event loop's connections. */
  static MessagePublisher to(Vertx vertx, ClusterSettings settings, String serverId, ServerStats stats) {
    ReceivedBatchCodec.register(vertx);
    MessageProducer<Object> producer = vertx.eventBus().publisher(settings.publishAddress());
    Function<ReceivedBatch, Future<Void>> sink = settings.publishJson()
        ? batch -> eachAsJson(producer, batch)
        : producer::write;
    return new MessagePublisher(sink, serverId, settings.publishBacklogBytes(), stats);
  }

  /** The JSON form: one message per frame, in order; completes with the last one's write. */
  private static Future<Void> eachAsJson(MessageProducer<Object> producer, ReceivedBatch batch) {
    Future<Void> last = Future.succeededFuture();
    for (ReceivedMessage message : batch.messages()) {
      last = producer.write(message.toJson());
    }
    return last;
  }

  /**
   * Adds one new frame to the batch of the current read; {@code peer} is the client as the server names it,
   * {@code repeat} says the server logged this sender's sequence number before (a frame without the resent flag,
   * logged again).
   */
  void publish(Frame frame, String peer, boolean repeat) {
    if (sink == null) {
      return;
    }
    if (!batch.isOpen()) {
      batch.start(serverId, peer, Instant.now());
    }
    batch.add(frame, repeat);
  }

  /** The read is over: its frames go out as one message, or are dropped and counted when too much waits. */
  void endOfRead() {
    if (sink == null || !batch.isOpen()) {
      return;
    }
    int frames = batch.size();
    if (waitingBytes >= backlogBytes) {
      batch.drop();
      droppedSinceLast += frames;
      stats.streamDropped(frames);
      return;
    }
    ReceivedBatch out = batch.build(droppedSinceLast);
    droppedSinceLast = 0;
    int bytes = out.length();
    waitingBytes += bytes;
    stats.streamPublished(frames);
    // Completes on this event loop: the count needs no lock
    sink.apply(out).onComplete(written -> waitingBytes -= bytes);
  }
}
