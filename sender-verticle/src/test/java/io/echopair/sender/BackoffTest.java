package io.echopair.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  @DisplayName("The ceiling doubles from the initial delay and stops at the maximum")
  void ceilingDoubles() {
    Backoff backoff = new Backoff(100, 1000, new SplittableRandom(1));

    assertThat(backoff.ceilingMs(1)).isEqualTo(100);
    assertThat(backoff.ceilingMs(2)).isEqualTo(200);
    assertThat(backoff.ceilingMs(4)).isEqualTo(800);
    assertThat(backoff.ceilingMs(5)).isEqualTo(1000);
    assertThat(backoff.ceilingMs(Integer.MAX_VALUE)).isEqualTo(1000);
  }

  @Test
  @DisplayName("Each delay lies in the upper half of its ceiling, and attempts are counted")
  void delaysAreJitteredInTheUpperHalf() {
    Backoff backoff = new Backoff(100, 1000, new SplittableRandom(7));

    for (int attempt = 1; attempt <= 50; attempt++) {
      long delay = backoff.nextDelayMs();
      long ceiling = backoff.ceilingMs(attempt);
      assertThat(backoff.attempt()).isEqualTo(attempt);
      assertThat(delay).isBetween(ceiling / 2, ceiling);
    }
  }

  @Test
  @DisplayName("After a reset the next delay starts again from the initial delay")
  void resetStartsOver() {
    Backoff backoff = new Backoff(100, 1000, new SplittableRandom(3));
    for (int i = 0; i < 6; i++) {
      backoff.nextDelayMs();
    }

    backoff.reset();

    assertThat(backoff.attempt()).isZero();
    assertThat(backoff.nextDelayMs()).isBetween(50L, 100L);
    assertThat(backoff.attempt()).isEqualTo(1);
  }

  @Test
  @DisplayName("A 1 ms initial delay never gives a zero delay")
  void neverZero() {
    Backoff backoff = new Backoff(1, 1, new SplittableRandom(5));

    for (int i = 0; i < 20; i++) {
      assertThat(backoff.nextDelayMs()).isEqualTo(1);
    }
  }
}
