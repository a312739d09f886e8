package io.impflow.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer's schedule on a hand-driven clock: what it waits for, not how long the machine takes. */
class RatePacerTest {
  private long now = 1_000_000_000L;
  private final List<Long> parks = new ArrayList<>();

  /** A park that lets the requested time pass on the fake clock. */
  private RatePacer pacer(double rate) {
    return new RatePacer(rate, () -> now, nanos -> {
      parks.add(nanos);
      now += nanos;
    });
  }

  @Test
  void recordIIsDueIOverRateSecondsAfterTheStart() {
    RatePacer pacer = pacer(400);
    assertThat(pacer.dueNanos(0)).isZero();
    assertThat(pacer.dueNanos(1)).isEqualTo(2_500_000L);
    assertThat(pacer.dueNanos(400)).isEqualTo(1_000_000_000L);
    assertThat(pacer.dueNanos(20_000)).isEqualTo(50_000_000_000L);
    assertThat(pacer(3).dueNanos(1)).isEqualTo(333_333_333L);
  }

  @Test
  void waitsUntilEachRecordIsDue() {
    RatePacer pacer = pacer(1000);
    long start = now;
    pacer.awaitTurn(0);
    assertThat(parks).isEmpty();
    pacer.awaitTurn(1);
    assertThat(parks).containsExactly(1_000_000L);
    now += 300_000;   // sending record 1 took 0.3 ms
    pacer.awaitTurn(2);
    assertThat(parks).containsExactly(1_000_000L, 700_000L);
    assertThat(now).isEqualTo(start + 2_000_000L);
  }

  @Test
  void aLateRecordDoesNotPushBackTheSchedule() {
    RatePacer pacer = pacer(1000);
    long start = now;
    now += 5_500_000;   // a 5.5 ms stall: records 1 to 5 are overdue and go out at once
    for (int i = 1; i <= 5; i++) {
      pacer.awaitTurn(i);
    }
    assertThat(parks).isEmpty();
    pacer.awaitTurn(6);
    assertThat(parks).containsExactly(500_000L);
    assertThat(now).isEqualTo(start + 6_000_000L);
  }

  @Test
  void aParkThatReturnsEarlyIsRepeated() {
    RatePacer pacer = new RatePacer(100, () -> now, nanos -> {
      parks.add(nanos);
      now += (nanos + 1) / 2;   // wakes halfway (rounded up, so time always passes)
    });
    long start = now;
    pacer.awaitTurn(1);
    assertThat(now).isGreaterThanOrEqualTo(start + 10_000_000L);
    assertThat(parks).hasSizeGreaterThan(1).startsWith(10_000_000L, 5_000_000L);
  }

  @Test
  void anUnlimitedRateNeverWaitsAndANonPositiveRateIsRefused() {
    RatePacer pacer = pacer(Double.POSITIVE_INFINITY);
    for (int i = 0; i < 1000; i++) {
      pacer.awaitTurn(i);
    }
    assertThat(parks).isEmpty();
    assertThat(pacer.dueNanos(1_000_000)).isZero();
    assertThatThrownBy(() -> pacer(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> 0");
    assertThatThrownBy(() -> pacer(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
