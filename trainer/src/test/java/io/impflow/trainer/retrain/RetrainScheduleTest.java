package io.impflow.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --every} on an injected clock: runs at the start and every period, overruns push the next run. */
class RetrainScheduleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A clock that only moves when told to. */
  private static final class ManualClock extends Clock {
    Instant now = T0;

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void runsAtTheStartAndThenEveryPeriodRegardlessOfHowLongARunTakes() throws Exception {
    ManualClock clock = new ManualClock();
    List<Instant> sleptUntil = new ArrayList<>();
    RetrainSchedule schedule = new RetrainSchedule(clock, until -> {
      sleptUntil.add(until);
      if (until.isAfter(clock.now)) {
        clock.now = until;
      }
    });
    List<Instant> runs = new ArrayList<>();
    int count = schedule.runEvery(Duration.ofHours(6), () -> runs.size() < 4, () -> {
      runs.add(clock.now);
      clock.now = clock.now.plus(Duration.ofMinutes(40)); // each retrain takes 40 minutes
    });

    assertThat(count).isEqualTo(4);
    assertThat(runs).containsExactly(T0, T0.plus(Duration.ofHours(6)), T0.plus(Duration.ofHours(12)),
        T0.plus(Duration.ofHours(18)));
    assertThat(sleptUntil).containsExactlyElementsOf(runs);
  }

  @Test
  void aRunLongerThanThePeriodIsFollowedAtOnceWithoutCatchingUp() throws Exception {
    ManualClock clock = new ManualClock();
    RetrainSchedule schedule = new RetrainSchedule(clock, until -> {
      if (until.isAfter(clock.now)) {
        clock.now = until;
      }
    });
    List<Instant> runs = new ArrayList<>();
    List<Duration> durations = List.of(Duration.ofHours(15), Duration.ofMinutes(10), Duration.ofMinutes(10));
    schedule.runEvery(Duration.ofHours(6), () -> runs.size() < 3, () -> {
      Duration took = durations.get(runs.size());
      runs.add(clock.now);
      clock.now = clock.now.plus(took);
    });
    // the first run overran two periods: the second starts as soon as it ends (15h, the missed 6h and 12h slots are
    // not run in a burst), and the third one period after that (21h)
    assertThat(runs).containsExactly(T0, T0.plus(Duration.ofHours(15)), T0.plus(Duration.ofHours(21)));
  }

  @Test
  void aNonPositivePeriodIsRefused() {
    RetrainSchedule schedule = new RetrainSchedule(new ManualClock(), until -> { });
    assertThatThrownBy(() -> schedule.runEvery(Duration.ZERO, () -> true, () -> { }))
        .hasMessageContaining("--every must be positive");
  }
}
