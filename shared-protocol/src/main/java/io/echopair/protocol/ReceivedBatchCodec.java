package io.echopair.protocol;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Carries a {@link ReceivedBatch} over the event bus: its encoded bytes behind their length. Every JVM that publishes
 * or consumes batches registers it ({@link #register}), as the receiving node looks the codec up by its name.
 */
public final class ReceivedBatchCodec implements MessageCodec<ReceivedBatch, ReceivedBatch> {

  /** The codec's name on the wire. */
  public static final String NAME = "echopair.received-batch";

  private static final Object REGISTERING = new Object();

  /** Registers the codec as the default for {@link ReceivedBatch} on {@code vertx}'s event bus, once however asked. */
  public static void register(Vertx vertx) {
    // Several verticles of one Vert.x (the pair jar, server instances) start at once
    synchronized (REGISTERING) {
      try {
        vertx.eventBus().registerDefaultCodec(ReceivedBatch.class, new ReceivedBatchCodec());
      } catch (IllegalStateException alreadyRegistered) {
        // Registered by another verticle of this Vert.x: one is enough
      }
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, ReceivedBatch batch) {
    byte[] bytes = batch.bytes();
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  /** @throws IllegalArgumentException when the bytes are not a batch this version reads */
  @Override
  public ReceivedBatch decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return ReceivedBatch.of(buffer.getBytes(pos + 4, pos + 4 + length));
  }

  /** Immutable: the same batch serves every local consumer. */
  @Override
  public ReceivedBatch transform(ReceivedBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
