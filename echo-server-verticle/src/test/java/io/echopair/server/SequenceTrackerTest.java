package io.echopair.server;

import static io.echopair.server.SequenceTracker.Arrival.NEW;
import static io.echopair.server.SequenceTracker.Arrival.REPEAT;
import static io.echopair.server.SequenceTracker.Arrival.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echopair.server.SequenceTracker.Arrival;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  @Test
  @DisplayName("Frames in order are new once, a repeat of any of them is a repeat, and no bitmap is allocated")
  void inOrderThenRepeats() {
    SequenceTracker tracker = new SequenceTracker(64, 1);
    for (long seq = 1; seq <= 1000; seq++) {
      assertThat(tracker.accept(seq)).as("seq %d", seq).isEqualTo(NEW);
      assertThat(tracker.gapFrom()).isZero();
    }
    assertThat(tracker.accept(1)).isEqualTo(REPEAT);
    assertThat(tracker.accept(999)).isEqualTo(REPEAT);
    assertThat(tracker.accept(1000)).isEqualTo(REPEAT);
    assertThat(tracker.contiguous()).isEqualTo(1000);
    assertThat(tracker.bitmapBytes()).isZero();
  }

  @Test
  @DisplayName("A jump ahead reports the missing range once; the frames that fill it later are new, then repeats")
  void gapsAreReportedAndFilled() {
    SequenceTracker tracker = new SequenceTracker(64, 1);
    tracker.accept(1);
    tracker.accept(2);

    assertThat(tracker.accept(6)).isEqualTo(NEW);
    assertThat(tracker.gapFrom()).isEqualTo(3);
    assertThat(tracker.gapTo()).isEqualTo(5);
    assertThat(tracker.bitmapBytes()).isPositive();
    assertThat(tracker.accept(6)).isEqualTo(REPEAT);
    assertThat(tracker.accept(4)).isEqualTo(NEW);
    assertThat(tracker.gapFrom()).as("filling a gap is not a gap").isZero();
    assertThat(tracker.accept(3)).isEqualTo(NEW);
    assertThat(tracker.contiguous()).isEqualTo(4);
    assertThat(tracker.accept(5)).isEqualTo(NEW);
    assertThat(tracker.contiguous()).isEqualTo(6);
    assertThat(tracker.bitmapBytes()).as("no gap left: the bitmap is let go").isZero();
    assertThat(tracker.accept(7)).isEqualTo(NEW);
    assertThat(tracker.accept(5)).isEqualTo(REPEAT);
  }

  @Test
  @DisplayName("A frame beyond the window raises the floor: what lies below is unknown, so it is logged, never a repeat")
  void jumpBeyondTheWindow() {
    SequenceTracker tracker = new SequenceTracker(64, 1);
    for (long seq = 1; seq <= 50; seq++) {
      tracker.accept(seq);
    }

    assertThat(tracker.accept(1L << 62)).isEqualTo(NEW);
    assertThat(tracker.floor()).isEqualTo((1L << 62) - 64);
    // The sender's own next frames, and its resends, lie behind the window now: unknown, which the server logs
    assertThat(tracker.accept(51)).isEqualTo(UNKNOWN);
    assertThat(tracker.accept(51)).isEqualTo(UNKNOWN);
    assertThat(tracker.accept(10)).isEqualTo(UNKNOWN);
    assertThat(tracker.accept((1L << 62) - 10)).as("inside the window").isEqualTo(NEW);
    assertThat(tracker.accept((1L << 62) - 10)).isEqualTo(REPEAT);
    assertThat(tracker.accept(Long.MAX_VALUE)).isEqualTo(NEW);
    assertThat(tracker.accept(Long.MAX_VALUE)).isEqualTo(REPEAT);
  }

  @Test
  @DisplayName("A sender first seen past seq 1: the numbers below are unknown to this server, so they are logged")
  void firstSeenMidStream() {
    SequenceTracker tracker = new SequenceTracker(64, 96);
    assertThat(tracker.accept(96)).isEqualTo(NEW);
    assertThat(tracker.gapFrom()).isZero();
    assertThat(tracker.accept(95)).isEqualTo(UNKNOWN);
    assertThat(tracker.accept(1)).isEqualTo(UNKNOWN);
    assertThat(tracker.accept(97)).isEqualTo(NEW);
    assertThat(tracker.bitmapBytes()).isZero();
  }

  @Test
  @DisplayName("The bitmap grows with the span of missing frames, never beyond the window")
  void bitmapIsSizedLazily() {
    SequenceTracker tracker = new SequenceTracker(16_384, 1);
    tracker.accept(1);
    tracker.accept(3);
    assertThat(tracker.bitmapBytes()).isEqualTo(8);
    tracker.accept(1000);
    assertThat(tracker.bitmapBytes()).isEqualTo(1024 / 8);
    tracker.accept(1_000_000);
    assertThat(tracker.bitmapBytes()).isEqualTo(2048);
    assertThat(SequenceTracker.maxBitmapBytes(16_384)).isEqualTo(2048);
    assertThat(tracker.accept(1000)).as("forgotten when the window moved past it").isEqualTo(UNKNOWN);
  }

  @Test
  @DisplayName("Against a set of everything seen, with resends, late frames and jumps: never a repeat that is not one")
  void matchesAnExactModel() {
    Random random = new Random(42);
    int window = 128;
    SequenceTracker tracker = new SequenceTracker(window, 1);
    TreeSet<Long> seen = new TreeSet<>();
    List<String> wrong = new ArrayList<>();
    long next = 1;
    long highest = 0;
    for (int i = 0; i < 200_000; i++) {
      long seq;
      int draw = random.nextInt(100);
      if (draw < 25 && next > 1) {
        // A resend or a late frame, sometimes from behind the window
        seq = Math.max(1, next - 1 - random.nextInt(draw < 2 ? 1000 : 100));
      } else if (draw == 99) {
        // A jump far ahead, as a hostile peer might send
        seq = next + 1 + random.nextInt(10_000);
        next = seq + 1;
      } else {
        seq = next;
        next += 1 + (random.nextInt(20) == 0 ? random.nextInt(5) : 0);
      }
      boolean isNew = seen.add(seq);
      boolean behindWindow = seq <= highest - window;
      highest = Math.max(highest, seq);
      Arrival arrival = tracker.accept(seq);
      if (isNew && arrival == REPEAT) {
        wrong.add("seq " + seq + " was never seen, yet judged a repeat");
      } else if (!behindWindow && arrival != (isNew ? NEW : REPEAT)) {
        wrong.add("seq " + seq + " within the window judged " + arrival);
      }
      assertThat(tracker.bitmapBytes()).isLessThanOrEqualTo((int) SequenceTracker.maxBitmapBytes(window));
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @DisplayName("A window smaller than one 64-bit word is refused")
  void windowAtLeastAWord() {
    assertThatThrownBy(() -> new SequenceTracker(32, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
