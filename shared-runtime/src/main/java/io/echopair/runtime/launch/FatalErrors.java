package io.echopair.runtime.launch;

import io.vertx.core.Vertx;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process, with one {@code FATAL} line on standard error and {@link ExitStatus#FATAL}, when it can no longer
 * be trusted to work: a {@link VirtualMachineError} (such as {@link OutOfMemoryError}) in any thread, or logback's
 * asynchronous appender thread dying of anything (every later log call would wait for it forever). A supervisor then
 * restarts a process that would otherwise accept connections, serve nobody and ignore SIGTERM.
 *
 * <p>The line goes straight to file descriptor 2, never through logging: the log writer may be what died, and its
 * full queue would block the caller. The JVM is then halted without shutdown hooks, which could wait on that logging.
 *
 * <p>{@link EchoPairLauncher} installs it for every jar; code that catches a {@link Throwable} calls
 * {@link #exitIfFatal(Throwable)}.
 */
public final class FatalErrors implements Thread.UncaughtExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

  /** How logback (1.5) names the thread of an AsyncAppender: this prefix and the appender's name. */
  static final String LOG_WRITER_THREAD_PREFIX = "AsyncAppender-Worker-";
  /** How deep a cause chain is searched for a fatal error; a chain may loop. */
  private static final int MAX_CAUSES = 16;

  /** This process's instance: it writes to standard error and halts the JVM. */
  private static final FatalErrors PROCESS =
      new FatalErrors(new FileOutputStream(FileDescriptor.err), Runtime.getRuntime()::halt);

  private final OutputStream err;
  private final IntConsumer halt;
  // Built now: when the error comes, there may be no memory to build anything
  private final FatalLine line = new FatalLine();
  private final byte[] fallbackLine = ("FATAL: a fatal error, with too little memory left to describe it; exiting with"
      + " status " + ExitStatus.FATAL + "\n").getBytes(StandardCharsets.US_ASCII);
  private volatile Thread.UncaughtExceptionHandler previous;
  private boolean reported;

  /**
   * An instance that writes its line to {@code err} and ends with {@code halt}; tests pass their own.
   *
   * @param halt called with {@link ExitStatus#FATAL}; {@link Runtime#halt} in the process instance
   */
  FatalErrors(OutputStream err, IntConsumer halt) {
    this.err = err;
    this.halt = halt;
  }

  /**
   * Makes this process end on a fatal error in any thread: installs the default uncaught-exception handler (a thread
   * dying of an ordinary exception is still logged, or handed to the handler installed before). Calling it again does
   * nothing.
   */
  public static void install() {
    rehearse();
    PROCESS.installAsDefault();
  }

  /** Makes this process end on a fatal error escaping a handler of {@code vertx}; others are logged as before. */
  public static void watch(Vertx vertx) {
    PROCESS.watchHandlersOf(vertx);
  }

  /**
   * Ends the process if {@code failure} is fatal, and returns at once, having done nothing, if it is not.
   *
   * <p>Call it first in any handler that is given a {@link Throwable} or catches one, before handling it as an
   * ordinary failure: a socket's exception handler (Netty reports an {@link OutOfMemoryError} thrown while reading a
   * socket there, not to any uncaught-exception handler), a {@code catch (Throwable t)}, a failed future's handler.
   *
   * <p>Fatal means a {@link VirtualMachineError} ({@link OutOfMemoryError}, {@link StackOverflowError},
   * {@link InternalError}...) as {@code failure} or among its causes. Then it writes one line to standard error, e.g.
   * {@code FATAL: OutOfMemoryError in thread vert.x-eventloop-thread-0: Java heap space; exiting with status 70},
   * and halts the JVM with {@link ExitStatus#FATAL} without running shutdown hooks or flushing logs: it does not
   * return. Several threads failing at once print one line. Works from any thread, whether or not {@link #install()}
   * was called.
   */
  public static void exitIfFatal(Throwable failure) {
    PROCESS.endIfFatal(Thread.currentThread(), failure);
  }

  /** Whether {@code failure}, or one of its causes, is a {@link VirtualMachineError}. */
  public static boolean isFatal(Throwable failure) {
    return fatalIn(failure) != null;
  }

  // ---- what the process instance does; tests call it on their own instance

  void installAsDefault() {
    synchronized (this) {
      Thread.UncaughtExceptionHandler current = Thread.getDefaultUncaughtExceptionHandler();
      if (current != this) {
        previous = current;
        Thread.setDefaultUncaughtExceptionHandler(this);
      }
    }
  }

  void watchHandlersOf(Vertx vertx) {
    vertx.exceptionHandler(this::handleUnhandled);
  }

  void endIfFatal(Thread thread, Throwable failure) {
    Throwable fatal = fatalIn(failure);
    if (fatal != null) {
      end(thread, fatal);
    }
  }

  @Override
  public void uncaughtException(Thread thread, Throwable failure) {
    Throwable fatal = fatalIn(failure);
    if (fatal != null || isLogWriter(thread)) {
      end(thread, fatal != null ? fatal : failure);
      return;
    }
    Thread.UncaughtExceptionHandler before = previous;
    if (before != null) {
      before.uncaughtException(thread, failure);
    } else {
      LOG.error("Uncaught exception in thread {}", thread.getName(), failure);
    }
  }

  /** What Vert.x does with an exception a handler throws, unless it is fatal. */
  private void handleUnhandled(Throwable failure) {
    Throwable fatal = fatalIn(failure);
    if (fatal != null) {
      end(Thread.currentThread(), fatal);
    } else {
      LOG.error("Unhandled exception", failure);
    }
  }

  /**
   * Goes once through every path of a fatal error, harmlessly, while there is memory: the first run of a path has the
   * JVM resolve the classes it names, which for this class's loader runs Java code that allocates. Seen under
   * -Xmx24m: without it, the handler itself died of OutOfMemoryError and the process lived on.
   */
  private static void rehearse() {
    FatalErrors rehearsal = new FatalErrors(OutputStream.nullOutputStream(), status -> { });
    OutOfMemoryError sample = new OutOfMemoryError("rehearsal");
    rehearsal.uncaughtException(Thread.currentThread(), sample);
    rehearsal.handleUnhandled(sample);
    exitIfFatal(new IllegalStateException("rehearsal"));
    // A class builds its name the first time it is asked for it, then keeps it: the line needs no memory for these
    for (Class<?> fatal : List.of(OutOfMemoryError.class, StackOverflowError.class, InternalError.class,
        UnknownError.class)) {
      fatal.getName();
    }
  }

  private static boolean isLogWriter(Thread thread) {
    return thread.getName().startsWith(LOG_WRITER_THREAD_PREFIX);
  }

  private static Throwable fatalIn(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++) {
      if (cause instanceof VirtualMachineError) {
        return cause;
      }
      cause = cause.getCause();
    }
    return null;
  }

  private void end(Thread thread, Throwable failure) {
    // A second thread waits here until the first has written the line, then halts too
    synchronized (this) {
      if (!reported) {
        reported = true;
        write(thread, failure);
      }
    }
    halt.accept(ExitStatus.FATAL);
  }

  /** Writes the line, or a fixed one if even that fails (a message that cannot be read); never throws. */
  private void write(Thread thread, Throwable failure) {
    try {
      line.write(thread, failure, err);
    } catch (Throwable unwritable) {
      try {
        err.write(fallbackLine);
        err.flush();
      } catch (Throwable nowhere) {
        // Nowhere left to say it: the exit status still does
      }
    }
  }
}
