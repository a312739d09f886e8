package io.impflow.bench.e2e;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Paces a producer at an offered rate on an absolute schedule: record i is due i / rate seconds after the start, so
 * a record sent late does not push back the records after it (the producer catches up instead of drifting).
 */
final class RatePacer {
  private final double ratePerSecond;
  private final LongSupplier nanoClock;
  private final LongConsumer parkNanos;
  private final long startNanos;

  /**
   * A pacer whose schedule starts now.
   *
   * @param ratePerSecond records per second, &gt; 0; {@code Double.POSITIVE_INFINITY} never waits
   * @param nanoClock monotonic time in nanoseconds
   * @param parkNanos waits about the given nanoseconds (may return early)
   */
  RatePacer(double ratePerSecond, LongSupplier nanoClock, LongConsumer parkNanos) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("the rate must be > 0 records/s, got " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.nanoClock = nanoClock;
    this.parkNanos = parkNanos;
    this.startNanos = nanoClock.getAsLong();
  }

  /** A pacer on the system's monotonic clock, starting now. */
  static RatePacer startingNow(double ratePerSecond) {
    return new RatePacer(ratePerSecond, System::nanoTime, LockSupport::parkNanos);
  }

  /** When record {@code index} (from 0) is due, in nanoseconds after the start; always 0 at an unlimited rate. */
  long dueNanos(long index) {
    return (long) (index * 1e9 / ratePerSecond);
  }

  /** Returns once record {@code index} is due: at once if it already is. */
  void awaitTurn(long index) {
    long due = startNanos + dueNanos(index);
    for (long wait = due - nanoClock.getAsLong(); wait > 0; wait = due - nanoClock.getAsLong()) {
      parkNanos.accept(wait);
    }
  }
}
