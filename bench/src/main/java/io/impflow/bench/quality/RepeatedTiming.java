package io.impflow.bench.quality;

/**
 * Times a side-effect-free pass (e.g. scoring a test set) by repeating it until a minimum wall time has passed, so
 * that fast methods on small test sets get a throughput that is not dominated by timer resolution and JIT warm-up.
 */
public final class RepeatedTiming {

  /** Minimum total wall time over the repetitions. */
  public static final double MIN_SECONDS = 0.25;

  private RepeatedTiming() {}

  /** Runs {@code pass} once untimed (warm-up), then repeatedly for at least {@link #MIN_SECONDS}; time per pass. */
  public static Stopwatch.Elapsed perPass(Runnable pass) {
    pass.run();
    Stopwatch stopwatch = Stopwatch.start();
    int passes = 0;
    Stopwatch.Elapsed elapsed;
    do {
      pass.run();
      passes++;
      elapsed = stopwatch.elapsed();
    } while (elapsed.wallSeconds() < MIN_SECONDS);
    return elapsed.dividedBy(passes);
  }
}
