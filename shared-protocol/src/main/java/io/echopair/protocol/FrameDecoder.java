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

  @Override
  public void handle(Buffer chunk) {
    int length = chunk.length();
    int position = 0;
    // Complete the frame the last read left unfinished
    if (buffered > 0) {
      position = Math.min(frameSize - buffered, length);
      chunk.getBytes(0, position, frame.array(), buffered);
      buffered += position;
      if (buffered < frameSize) {
        return;
      }
      emit();
    }
    // Whole frames straight from this read
    while (length - position >= frameSize) {
      chunk.getBytes(position, position + frameSize, frame.array(), 0);
      position += frameSize;
      emit();
    }
    // Keep the start of the next frame
    if (position < length) {
      chunk.getBytes(position, length, frame.array(), 0);
      buffered = length - position;
    }
  }

  /** Bytes received of a frame that is not complete yet: on a closed connection, the size of a lost partial frame. */
  public int bufferedBytes() {
    return buffered;
  }

  private void emit() {
    buffered = 0;
    frameHandler.handle(frame);
  }
}
