package io.echopair.runtime.launch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import io.echopair.runtime.testing.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** FatalErrors with a recorded halt instead of Runtime.halt, so that the test JVM lives on. */
@ExtendWith(VertxExtension.class)
class FatalErrorsTest {

  private static final String TAIL = "; exiting with status 70";

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<Integer> halts = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> halted = new CompletableFuture<>();
  private final FatalErrors fatalErrors = new FatalErrors(err, status -> {
    halts.add(status);
    halted.complete(status);
  });

  @Test
  @DisplayName("an OutOfMemoryError that kills a thread halts with status 70 and one FATAL line naming error and thread")
  void outOfMemoryKillsThread() throws Exception {
    dieIn("worker-7", new OutOfMemoryError("Java heap space"));

    assertThat(halts).containsExactly(ExitStatus.FATAL);
    assertThat(err()).isEqualTo("FATAL: OutOfMemoryError in thread worker-7: Java heap space" + TAIL + "\n");
  }

  @Test
  @DisplayName("logback's asynchronous appender thread dying of an error that is not fatal in itself still halts")
  void logWriterDeathHalts() throws Exception {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    LoggerContext logback = new LoggerContext();
    logback.setMDCAdapter(new LogbackMDCAdapter());
    try {
      fatalErrors.installAsDefault();
      Logger logger = asyncLogger(logback, "die-now");

      logger.info("Recv Msg : die-now (peer 127.0.0.1:1)");

      assertThat(halted.get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.FATAL);
      assertThat(err()).isEqualTo("FATAL: LinkageError in thread AsyncAppender-Worker-TEST-ASYNC: saw die-now" + TAIL
          + "\n");
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
      logback.stop();
    }
  }

  @Test
  @DisplayName("an ordinary exception that kills a thread is logged as an ERROR, and the process goes on")
  void ordinaryExceptionLogged() throws Exception {
    try (LogCapture log = LogCapture.of(FatalErrors.class)) {
      dieIn("worker-8", new IllegalStateException("bug"));

      assertThat(log.lines()).containsExactly("ERROR Uncaught exception in thread worker-8");
      assertThat(log.anyThrowable()).isTrue();
    }
    assertThat(halts).isEmpty();
    assertThat(err()).isEmpty();
  }

  @Test
  @DisplayName("an ordinary exception goes to the default handler that was installed before, if any")
  void previousHandlerKept() throws Exception {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    CompletableFuture<Throwable> seenBefore = new CompletableFuture<>();
    try {
      Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> seenBefore.complete(failure));
      fatalErrors.installAsDefault();
      IllegalStateException bug = new IllegalStateException("bug");

      Thread thread = new Thread(() -> {
        throw bug;
      }, "worker-9");
      thread.start();

      assertThat(seenBefore.get(30, TimeUnit.SECONDS)).isSameAs(bug);
      assertThat(halts).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  @DisplayName("an Error escaping a Vert.x handler halts from its event loop; an exception is logged as Vert.x does")
  void vertxHandlerErrors(Vertx vertx) throws Exception {
    fatalErrors.watchHandlersOf(vertx);
    try (LogCapture log = LogCapture.of(FatalErrors.class)) {
      vertx.runOnContext(v -> {
        throw new IllegalArgumentException("ordinary");
      });
      log.awaitContaining("Unhandled exception").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(halts).isEmpty();

      vertx.runOnContext(v -> {
        throw new StackOverflowError();
      });

      assertThat(halted.get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.FATAL);
      assertThat(err()).matches("FATAL: StackOverflowError in thread vert\\.x-eventloop-thread-\\d+" + TAIL + "\n");
    } finally {
      vertx.exceptionHandler(null);
    }
  }

  @Test
  @DisplayName("exitIfFatal returns for an ordinary exception and halts for an OutOfMemoryError, even wrapped")
  void exitIfFatalContract() {
    fatalErrors.endIfFatal(Thread.currentThread(), new IllegalStateException("ordinary", new RuntimeException()));
    assertThat(halts).isEmpty();

    fatalErrors.endIfFatal(Thread.currentThread(),
        new RuntimeException("wrapped", new OutOfMemoryError("Direct buffer memory")));

    assertThat(halts).containsExactly(ExitStatus.FATAL);
    assertThat(err()).isEqualTo("FATAL: OutOfMemoryError in thread " + Thread.currentThread().getName()
        + ": Direct buffer memory" + TAIL + "\n");
  }

  @Test
  @DisplayName("only a VirtualMachineError, in the failure or its causes, is fatal; a looping cause chain is no trouble")
  void whatIsFatal() {
    RuntimeException looping = new RuntimeException("a");
    RuntimeException other = new RuntimeException("b", looping);
    looping.initCause(other);

    assertThat(FatalErrors.isFatal(new OutOfMemoryError())).isTrue();
    assertThat(FatalErrors.isFatal(new StackOverflowError())).isTrue();
    assertThat(FatalErrors.isFatal(new IllegalStateException(new InternalError()))).isTrue();
    assertThat(FatalErrors.isFatal(new AssertionError("not the JVM's"))).isFalse();
    assertThat(FatalErrors.isFatal(new IOException("Connection reset by peer"))).isFalse();
    assertThat(FatalErrors.isFatal(looping)).isFalse();
  }

  @Test
  @DisplayName("fatal errors in two threads print one line, and both halt")
  void oneLineForMany() throws Exception {
    dieIn("worker-a", new OutOfMemoryError("first"));
    dieIn("worker-b", new OutOfMemoryError("second"));

    assertThat(halts).containsExactly(ExitStatus.FATAL, ExitStatus.FATAL);
    assertThat(err()).isEqualTo("FATAL: OutOfMemoryError in thread worker-a: first" + TAIL + "\n");
  }

  @Test
  @DisplayName("with no memory to describe the error a fixed FATAL line is written, and a broken stderr stops nothing")
  void reportingNeverThrows() throws Exception {
    dieIn("worker-c", new OutOfMemoryError() {
      @Override
      public String getMessage() {
        throw new OutOfMemoryError("no room for the message either");
      }
    });
    assertThat(err()).isEqualTo("FATAL: a fatal error, with too little memory left to describe it" + TAIL + "\n");

    List<Integer> broken = new CopyOnWriteArrayList<>();
    FatalErrors unwritable = new FatalErrors(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    }, broken::add);
    unwritable.endIfFatal(Thread.currentThread(), new OutOfMemoryError());
    assertThat(broken).containsExactly(ExitStatus.FATAL);
  }

  @Test
  @DisplayName("a message with line breaks or other than ASCII stays on one line, and an endless one is cut")
  void lineStaysOneLine() throws Exception {
    dieIn("worker-d", new OutOfMemoryError("two\nlines é " + "x".repeat(5000)));

    String line = err();
    assertThat(line).startsWith("FATAL: OutOfMemoryError in thread worker-d: two?lines ? xxx").endsWith(TAIL + "\n");
    assertThat(line.lines()).hasSize(1);
    assertThat(line).hasSize(1024);
  }

  /** Runs a thread that dies of {@code failure}, handled by the instance under test, and waits for it to end. */
  private void dieIn(String name, Throwable failure) throws InterruptedException {
    Thread thread = new Thread(() -> {
      if (failure instanceof Error error) {
        throw error;
      }
      throw (RuntimeException) failure;
    }, name);
    thread.setUncaughtExceptionHandler(fatalErrors);
    thread.start();
    thread.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(thread.isAlive()).as("thread %s ended", name).isFalse();
  }

  /** A logger of {@code logback} whose lines go through an AsyncAppender to one that dies on {@code trigger}. */
  private static Logger asyncLogger(LoggerContext logback, String trigger) {
    AppenderBase<ILoggingEvent> dying = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains(trigger)) {
          throw new LinkageError("saw " + trigger);
        }
      }
    };
    dying.setContext(logback);
    dying.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(logback);
    async.setName("TEST-ASYNC");
    async.addAppender(dying);
    async.start();
    Logger logger = logback.getLogger("fatal-errors-test");
    logger.addAppender(async);
    return logger;
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
