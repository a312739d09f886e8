package io.impflow.bench.quality;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;

/**
 * The one-core float64 multiply-add rate this machine reaches in practice, measured with a dense kernel: square
 * float64 matrix products through the same PyTorch engine the scorer uses, with one intra-op thread (an n×n product
 * is n³ fused multiply-adds = 2n³ floating-point operations). Benchmarks divide their own achieved rate by this to
 * say how close to the machine they run. The rate is per CPU second of the measuring thread (the product runs on
 * it), so other processes on a shared machine lower the wall-clock rate but not this one. The engine is pinned to
 * one intra-op thread for the measurement and left so.
 */
public final class Float64FmaPeak {

  /** Matrix order of the kernel: 2 × 512² doubles (4 MiB) of operands, large enough for a blocked dgemm. */
  public static final int DEFAULT_ORDER = 512;
  /** Default minimum measuring time. */
  public static final double DEFAULT_SECONDS = 2.0;

  /**
   * One measurement.
   *
   * @param order matrix order n
   * @param products number of n×n products timed
   * @param time wall and CPU time of the timed products
   * @param threads PyTorch intra-op threads during the measurement
   * @param engine the engine and its version
   */
  public record Measurement(int order, long products, Stopwatch.Elapsed time, int threads, String engine) {

    /** Fused multiply-adds per CPU second, in billions: the one-core peak. */
    public double gigaFmaPerSecond() {
      return (double) order * order * order * products / time.cpuSeconds() / 1e9;
    }

    /** Floating-point operations per CPU second, in billions (2 per multiply-add). */
    public double gflops() {
      return 2 * gigaFmaPerSecond();
    }

    /** Floating-point operations per wall-clock second, in billions (lower than {@link #gflops()} under load). */
    public double wallGflops() {
      return 2.0 * order * order * order * products / time.wallSeconds() / 1e9;
    }

    /** One line for reports. */
    public String describe() {
      return String.format(Locale.ROOT, "%.1f GFLOP/s float64 per CPU second (%.1f G multiply-adds/s; %.1f GFLOP/s"
          + " by wall clock): %d products of %d×%d matrices in %.2f CPU s / %.2f wall s, %s, %d intra-op thread(s)",
          gflops(), gigaFmaPerSecond(), wallGflops(), products, order, order, time.cpuSeconds(), time.wallSeconds(),
          engine, threads);
    }
  }

  private Float64FmaPeak() {}

  /** Measures with {@link #DEFAULT_ORDER} and {@link #DEFAULT_SECONDS}. */
  public static Measurement measure() {
    return measure(DEFAULT_ORDER, DEFAULT_SECONDS);
  }

  /**
   * Measures the rate of n×n float64 products on one thread for at least {@code minSeconds} of CPU time, after one
   * untimed warm-up product.
   */
  public static Measurement measure(int order, double minSeconds) {
    if (order < 1 || !(minSeconds > 0)) {
      throw new IllegalArgumentException("order must be >= 1 and minSeconds > 0, got " + order + ", " + minSeconds);
    }
    Engine engine = Engine.getInstance();
    JniUtils.setNumThreads(1);
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager manager = engine.newBaseManager()) {
      NDArray a = manager.randomUniform(-1, 1, new Shape(order, order), DataType.FLOAT64);
      NDArray b = manager.randomUniform(-1, 1, new Shape(order, order), DataType.FLOAT64);
      try (NDArray warmUp = a.matMul(b)) {
        warmUp.getDouble(0, 0);
      }
      Stopwatch stopwatch = Stopwatch.start();
      long products = 0;
      Stopwatch.Elapsed elapsed;
      do {
        try (NDArray c = a.matMul(b)) {
          c.getDouble(0, 0);
        }
        products++;
        elapsed = stopwatch.elapsed();
      } while (elapsed.cpuSeconds() < minSeconds);
      return new Measurement(order, products, elapsed, JniUtils.getNumThreads(),
          engine.getEngineName() + " " + engine.getVersion());
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /** Prints one measurement: {@code [order [seconds]]}. */
  public static void main(String[] args) {
    int order = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ORDER;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : DEFAULT_SECONDS;
    System.out.println(measure(order, seconds).describe());
  }
}
