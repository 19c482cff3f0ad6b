package io.echopair.runtime.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one line {@link FatalErrors} writes, {@code FATAL: <error> in thread <name>: <message>; exiting with status 70},
 * built in an array allocated in advance: with the heap exhausted, writing it allocates nothing.
 *
 * <p>Characters outside printable ASCII become {@code ?}; a line longer than the array loses the end of its message.
 * Not thread-safe: FatalErrors writes one line, once.
 */
final class FatalLine {

  private static final int MAX_BYTES = 1024;
  private static final String TAIL = "; exiting with status " + ExitStatus.FATAL + "\n";

  private final byte[] bytes = new byte[MAX_BYTES];
  private final byte[] tail = TAIL.getBytes(StandardCharsets.US_ASCII);
  private int length;

  /** Writes the line for {@code failure} in {@code thread} to {@code out}, in one write. */
  void write(Thread thread, Throwable failure, OutputStream out) throws IOException {
    length = 0;
    append("FATAL: ", 0);
    // The class's name is kept once asked for (FatalErrors asks in advance); its simple name would be built anew
    String type = failure.getClass().getName();
    append(type, type.lastIndexOf('.') + 1);
    append(" in thread ", 0);
    append(thread.getName(), 0);
    String message = failure.getMessage();
    if (message != null) {
      append(": ", 0);
      append(message, 0);
    }
    System.arraycopy(tail, 0, bytes, length, tail.length);
    out.write(bytes, 0, length + tail.length);
    out.flush();
  }

  /** Appends {@code text} from index {@code from}, leaving room for the tail. */
  private void append(String text, int from) {
    int room = MAX_BYTES - tail.length;
    for (int i = from; i < text.length() && length < room; i++) {
      char c = text.charAt(i);
      bytes[length++] = c >= 0x20 && c < 0x7F ? (byte) c : (byte) '?';
    }
  }
}
