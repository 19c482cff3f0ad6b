package io.echopair.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  @Test
  @DisplayName("Frames in order are new once, and a repeat of any of them is not")
  void inOrderThenRepeats() {
    SequenceTracker tracker = new SequenceTracker(64);
    for (long seq = 1; seq <= 1000; seq++) {
      assertThat(tracker.accept(seq)).as("seq %d", seq).isTrue();
      assertThat(tracker.gapFrom()).isZero();
    }
    assertThat(tracker.accept(1)).isFalse();
    assertThat(tracker.accept(999)).isFalse();
    assertThat(tracker.accept(1000)).isFalse();
    assertThat(tracker.contiguous()).isEqualTo(1000);
  }

  @Test
  @DisplayName("A jump ahead reports the missing range once; the frames that fill it later are new, then repeats")
  void gapsAreReportedAndFilled() {
    SequenceTracker tracker = new SequenceTracker(64);
    tracker.accept(1);
    tracker.accept(2);

    assertThat(tracker.accept(6)).isTrue();
    assertThat(tracker.gapFrom()).isEqualTo(3);
    assertThat(tracker.gapTo()).isEqualTo(5);
    assertThat(tracker.accept(6)).isFalse();
    assertThat(tracker.accept(4)).isTrue();
    assertThat(tracker.gapFrom()).as("filling a gap is not a gap").isZero();
    assertThat(tracker.accept(3)).isTrue();
    assertThat(tracker.contiguous()).isEqualTo(4);
    assertThat(tracker.accept(5)).isTrue();
    assertThat(tracker.contiguous()).isEqualTo(6);
    assertThat(tracker.accept(7)).isTrue();
    assertThat(tracker.accept(5)).isFalse();
  }

  @Test
  @DisplayName("A frame beyond the window slides it: what it passed is given up and later counts as a repeat")
  void windowSlides() {
    SequenceTracker tracker = new SequenceTracker(64);
    tracker.accept(1);

    assertThat(tracker.accept(200)).isTrue();
    assertThat(tracker.gapFrom()).isEqualTo(2);
    assertThat(tracker.gapTo()).isEqualTo(199);
    assertThat(tracker.contiguous()).isEqualTo(200 - 64);
    assertThat(tracker.accept(100)).as("too old to tell").isFalse();
    assertThat(tracker.accept(150)).as("still inside the window").isTrue();
    assertThat(tracker.accept(150)).isFalse();
    assertThat(tracker.accept(Long.MAX_VALUE)).isTrue();
    assertThat(tracker.accept(Long.MAX_VALUE)).isFalse();
  }

  @Test
  @DisplayName("Against a set of everything seen, random resends within the window are judged exactly")
  void matchesAnExactModel() {
    Random random = new Random(42);
    SequenceTracker tracker = new SequenceTracker(128);
    TreeSet<Long> seen = new TreeSet<>();
    List<String> wrong = new ArrayList<>();
    long next = 1;
    for (int i = 0; i < 100_000; i++) {
      long seq;
      if (random.nextInt(4) == 0 && next > 1) {
        // A resend or a late frame, no further back than the window
        seq = Math.max(1, next - 1 - random.nextInt(100));
      } else {
        seq = next;
        next += 1 + (random.nextInt(20) == 0 ? random.nextInt(5) : 0);
      }
      boolean expected = seen.add(seq);
      if (tracker.accept(seq) != expected) {
        wrong.add("seq " + seq + " expected " + (expected ? "new" : "repeat"));
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @DisplayName("The window is whole 64-bit words")
  void windowIsWords() {
    assertThatThrownBy(() -> new SequenceTracker(100)).isInstanceOf(IllegalArgumentException.class);
  }
}
