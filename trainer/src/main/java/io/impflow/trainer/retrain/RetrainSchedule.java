package io.impflow.trainer.retrain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Runs a task at a fixed period on an injected clock: at the start, then at start + period, start + 2 × period, …;
 * a run that overruns its period is followed at once by the next (missed slots are not caught up in a burst).
 */
public final class RetrainSchedule {

  /** Waits until an instant of the schedule's clock. */
  @FunctionalInterface
  public interface Sleeper {
    /** Returns at or after {@code until} on the clock. */
    void sleepUntil(Instant until) throws InterruptedException;
  }

  private final Clock clock;
  private final Sleeper sleeper;

  /** A schedule reading time from {@code clock} and waiting with {@code sleeper}. */
  public RetrainSchedule(Clock clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** A schedule on the system clock, sleeping the calling thread. */
  public static RetrainSchedule systemClock() {
    Clock clock = Clock.systemUTC();
    return new RetrainSchedule(clock, until -> {
      long millis = Duration.between(clock.instant(), until).toMillis();
      if (millis > 0) {
        Thread.sleep(millis);
      }
    });
  }

  /**
   * Runs {@code task} every {@code period} while {@code keepGoing} says so before each run.
   *
   * @return the number of runs
   */
  public int runEvery(Duration period, BooleanSupplier keepGoing, Runnable task) throws InterruptedException {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("--every must be positive, got " + period);
    }
    Instant next = clock.instant();
    int runs = 0;
    while (keepGoing.getAsBoolean()) {
      sleeper.sleepUntil(next);
      task.run();
      runs++;
      Instant now = clock.instant();
      next = next.plus(period);
      if (next.isBefore(now)) {
        next = now;
      }
    }
    return runs;
  }
}
