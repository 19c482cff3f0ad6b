package io.echopair.protocol;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into fixed-size frames, whatever the reads look like.
 *
 * <p>Reads do not keep message boundaries. With 3-byte frames:
 * <pre>
 * reads:  | A | BC | DEFG | HI |
 * frames: | ABC | DEF | GHI |
 * </pre>
 *
 * Each frame is copied into one reusable array and passed to the handler as a {@link Frame} view: nothing is
 * allocated per frame. Bytes of an incomplete frame wait for the next read.
 *
 * <p>A handler that throws a {@link RuntimeException} for one frame does not cost the frames after it: the decoder
 * goes on with the rest of the read, then rethrows the first such exception from {@link #handle(Buffer)} (later ones
 * of the same read are dropped: one log line per read is enough, and they are usually the same bug). The framing of
 * the following reads is intact. An {@link Error} propagates at once: it is not a bug in one frame.
 */
public final class FrameDecoder implements Handler<Buffer> {

  private final Frame frame;
  private final int frameSize;
  private final Handler<Frame> frameHandler;
  private int buffered;

  public FrameDecoder(FrameFormat format, Handler<Frame> frameHandler) {
    this.frame = new Frame(format);
    this.frameSize = format.frameSize();
    this.frameHandler = frameHandler;
  }

  /**
   * Passes each frame the read completes to the handler, and keeps the start of the next one.
   *
   * @throws RuntimeException the first one the handler threw for a frame of this read, once the read is consumed
   */
  @Override
  public void handle(Buffer chunk) {
    int length = chunk.length();
    int position = 0;
    RuntimeException failure = null;
    // Complete the frame the last read left unfinished
    if (buffered > 0) {
      position = Math.min(frameSize - buffered, length);
      chunk.getBytes(0, position, frame.array(), buffered);
      buffered += position;
      if (buffered < frameSize) {
        return;
      }
      failure = emit(Frame.NOT_IN_ONE_READ, failure);
    }
    // Whole frames straight from this read
    while (length - position >= frameSize) {
      chunk.getBytes(position, position + frameSize, frame.array(), 0);
      failure = emit(position, failure);
      position += frameSize;
    }
    // Keep the start of the next frame
    if (position < length) {
      chunk.getBytes(position, length, frame.array(), 0);
      buffered = length - position;
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Bytes received of a frame that is not complete yet: on a closed connection, the size of a lost partial frame. */
  public int bufferedBytes() {
    return buffered;
  }

  /** Hands the frame over, found at {@code offsetInRead}; returns the first failure of this read so far. */
  private RuntimeException emit(int offsetInRead, RuntimeException earlier) {
    buffered = 0;
    frame.offsetInRead(offsetInRead);
    try {
      frameHandler.handle(frame);
      return earlier;
    } catch (RuntimeException failure) {
      return earlier != null ? earlier : failure;
    }
  }
}
