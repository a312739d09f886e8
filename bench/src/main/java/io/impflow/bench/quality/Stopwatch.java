package io.impflow.bench.quality;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall time and the calling thread's CPU time since start. On a shared machine the CPU time is the steadier cost
 * measure (other processes stretch wall time, not CPU time); PyTorch with one intra-op thread computes on the
 * calling thread, so native work is included.
 */
public final class Stopwatch {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long wallStart;
  private final long cpuStart;

  private Stopwatch() {
    this.wallStart = System.nanoTime();
    this.cpuStart = THREADS.getCurrentThreadCpuTime();
  }

  /**
   * Elapsed times in seconds.
   *
   * @param wallSeconds wall-clock seconds
   * @param cpuSeconds CPU seconds of the measuring thread
   */
  public record Elapsed(double wallSeconds, double cpuSeconds) {

    /** This divided by {@code n} (per repetition). */
    public Elapsed dividedBy(int n) {
      return new Elapsed(wallSeconds / n, cpuSeconds / n);
    }
  }

  /** A stopwatch started now on the calling thread. */
  public static Stopwatch start() {
    return new Stopwatch();
  }

  /** Time since start; call on the thread that started it. */
  public Elapsed elapsed() {
    return new Elapsed((System.nanoTime() - wallStart) / 1e9, (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9);
  }
}
