package io.echopair.sender;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * When each connection of one sender verticle ticks: once per interval each, their ticks spread evenly over the
 * interval, so that 10 000 connections are not all due in the same millisecond. One periodic timer drives them all, its
 * step the time between two streams' ticks (at least 1 ms); each tick's lateness after its due time goes to a
 * {@link Latencies}.
 *
 * <pre>
 *   interval     |-----------------------|-----------------------|----
 *   stream 0     ^                       ^                       ^
 *   stream 1           ^                       ^
 *   stream 2                 ^                       ^
 *   stream 3                       ^                       ^
 * </pre>
 *
 * <p>A tick missed while the event loop was busy runs late, not never; at most one round per step, so that a sender
 * that cannot keep its rate catches up no faster than its timer's steps come, as one periodic timer of all streams
 * did. On the verticle's event loop, so nothing here is synchronized.
 */
final class TickSchedule {

  private static final long LONGEST_INTERVAL_NANOS = Long.MAX_VALUE / 4;

  private final Vertx vertx;
  private final int streams;
  private final IntConsumer tick;
  private final Latencies drift;

  private long intervalNanos;
  // When the current round's stream 0 was due; stream i is due i / streams of an interval later
  private long roundNanos;
  private int next;
  private long timer = -1;
  private boolean running;

  /**
   * @param tick  runs a tick of the stream with this index, from 0
   * @param drift where each tick's lateness goes
   */
  TickSchedule(Vertx vertx, int streams, IntConsumer tick, Latencies drift) {
    this.vertx = vertx;
    this.streams = streams;
    this.tick = tick;
    this.drift = drift;
  }

  /** The first round starts now: stream 0 ticks at once, like the seed's client. */
  void start(long intervalMs) {
    begin(intervalMs, 0);
  }

  /** A new interval: the next round starts one new interval from now. */
  void change(long intervalMs) {
    if (running) {
      begin(intervalMs, Math.min(TimeUnit.MILLISECONDS.toNanos(intervalMs), LONGEST_INTERVAL_NANOS));
    }
  }

  /** No more ticks, even within the wake that is running. */
  void stop() {
    running = false;
    vertx.cancelTimer(timer);
    timer = -1;
  }

  private void begin(long intervalMs, long delayNanos) {
    stop();
    running = true;
    // Differences of nanoTime stay exact up to 2^63 ns; an interval of decades is as good as no second tick
    intervalNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(intervalMs), LONGEST_INTERVAL_NANOS);
    roundNanos = System.nanoTime() + delayNanos;
    next = 0;
    // A step as long as the time between two streams' ticks, in whole ms: one stream's interval, when it is alone
    long stepMs = Math.max(1, intervalMs / streams);
    long firstMs = TimeUnit.NANOSECONDS.toMillis(delayNanos);
    timer = vertx.setPeriodic(Math.max(1, firstMs), stepMs, this::wake);
    if (firstMs == 0) {
      wake(timer);
    }
  }

  private long dueNanos() {
    // next * intervalNanos / streams without overflowing
    return roundNanos + intervalNanos / streams * next + intervalNanos % streams * next / streams;
  }

  /**
   * Runs the ticks that are due, one round at most: a sender that fell behind catches up over the timer's next steps
   * (Vert.x's periodic timer runs the steps it missed), with the sockets' reads and writes in between.
   */
  private void wake(long timerId) {
    long now = System.nanoTime();
    for (int ran = 0; ran < streams && running && now - dueNanos() >= 0; ran++) {
      drift.record((now - dueNanos()) / 1000, 1);
      int stream = next;
      if (++next == streams) {
        next = 0;
        roundNanos += intervalNanos;
      }
      tick.accept(stream);
      now = System.nanoTime();
    }
  }
}
