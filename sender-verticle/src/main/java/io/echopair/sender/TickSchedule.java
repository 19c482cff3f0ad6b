package io.echopair.sender;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * When each connection of one sender verticle ticks: once per interval each, their ticks spread evenly over the
 * interval, so that 10 000 connections are not all due in the same millisecond. One timer drives them all, waking when
 * the next is due; each tick's lateness after its due time goes to a {@link Latencies}.
 *
 * <pre>
 *   interval     |-----------------------|-----------------------|----
 *   stream 0     ^                       ^                       ^
 *   stream 1           ^                       ^
 *   stream 2                 ^                       ^
 *   stream 3                       ^                       ^
 * </pre>
 *
 * <p>A tick missed while the event loop was busy runs late, within its round; a sender more than an interval behind
 * cannot keep its rate, and skips whole rounds (counted) rather than make frames only to drop them. On the verticle's
 * event loop, so nothing here is synchronized.
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
  private long skipped;
  private long timer = -1;
  private boolean running;
  // Counts starts and stops: a wake already on its way when the schedule changed does nothing
  private int generation;

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
    generation++;
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
    wake(generation);
  }

  private long dueNanos() {
    // next * intervalNanos / streams without overflowing
    return roundNanos + intervalNanos / streams * next + intervalNanos % streams * next / streams;
  }

  /**
   * Runs the ticks that are due, one round at most, then sleeps until the next one is due. The rest of a round that is
   * already due runs in a task of its own, so that the sockets' reads and writes come in between; whole rounds missed
   * by more than an interval are skipped and counted.
   */
  private void wake(int of) {
    if (of != generation) {
      // A wake of a schedule that was stopped or restarted since
      return;
    }
    timer = -1;
    long now = System.nanoTime();
    for (int ran = 0; running && now - dueNanos() >= 0; ran++) {
      if (ran == streams) {
        skipMissedRounds(now);
        vertx.runOnContext(v -> wake(of));
        return;
      }
      drift.record((now - dueNanos()) / 1000, 1);
      int stream = next;
      if (++next == streams) {
        next = 0;
        roundNanos += intervalNanos;
      }
      tick.accept(stream);
      now = System.nanoTime();
    }
    if (running) {
      // Timers have millisecond steps: never early, at most a millisecond late
      long delayMs = Math.max(1, (dueNanos() - now + 999_999) / 1_000_000);
      timer = vertx.setTimer(delayMs, id -> wake(of));
    }
  }

  /**
   * The sender is more than an interval behind its schedule: it cannot keep the rate. Rather than make, all at once,
   * frames it could only drop from its queues, every stream skips the same whole rounds.
   */
  private void skipMissedRounds(long now) {
    long rounds = (now - dueNanos()) / intervalNanos;
    if (rounds > 0) {
      roundNanos += rounds * intervalNanos;
      skipped += rounds * streams;
    }
  }

  /** Ticks skipped since the schedule was made, because the sender was more than an interval behind. */
  long skipped() {
    return skipped;
  }
}
