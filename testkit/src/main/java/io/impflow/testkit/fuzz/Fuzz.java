package io.impflow.testkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.function.Function;

/**
 * A small seeded property harness for the decoder fuzz tests, plus hostile values and an allocation meter. Each
 * property draws {@link #tries(int)} inputs from a generator fed by {@code new Random(seed + try)}, so a failure
 * names the seed and try that reproduce it. The bounded run in every build uses each test's default; a longer run:
 * {@code -Dimpflow.fuzz.tries=100000} (a system property, which surefire passes on from the Maven command line).
 */
public final class Fuzz {

  /** The system property that overrides every property's number of tries. */
  public static final String TRIES_PROPERTY = "impflow.fuzz.tries";

  /**
   * Length and count fields a corrupted or malicious input may carry: around 2^31 and 2^32, the JVM's array limit,
   * negative, and the extremes of a long.
   */
  public static final long[] HOSTILE_LENGTHS = {
      Integer.MAX_VALUE, 1L << 31, Integer.MAX_VALUE - 8L, 1L << 30, 1_000_000_000L, (1L << 32) + 1, 65_537L,
      -1L, -2L, Integer.MIN_VALUE, -(1L << 31) - 1, Long.MAX_VALUE, Long.MIN_VALUE, 0L, 1L};

  /**
   * The most one decode or read of a small (kilobyte-sized) input may allocate: far above what a real decode needs
   * (kilobytes, plus Avro's buffers), far below what honouring a 2^31 length field would.
   */
  public static final long ALLOCATION_LIMIT_BYTES = 64L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Fuzz() {}

  /** A check of one generated input; may throw anything, which fails the property. */
  @FunctionalInterface
  public interface Check<T> {
    /** Fails (throws) when the property does not hold for {@code input}. */
    void check(T input) throws Exception;
  }

  /** The number of tries: {@code -Dimpflow.fuzz.tries} when set, else {@code defaultTries}. */
  public static int tries(int defaultTries) {
    String configured = System.getProperty(TRIES_PROPERTY);
    return configured == null || configured.isBlank() ? defaultTries : Integer.parseInt(configured.trim());
  }

  /**
   * Checks the property on {@link #tries(int) tries(defaultTries)} generated inputs; the first failure is rethrown
   * as an AssertionError naming the seed, the try and the input.
   */
  public static <T> void forAll(long seed, int defaultTries, Function<Random, T> generator, Check<T> property) {
    int tries = tries(defaultTries);
    for (int t = 0; t < tries; t++) {
      T input = generator.apply(new Random(seed * 1_000_003L + t));
      try {
        property.check(input);
      } catch (Throwable e) {
        throw new AssertionError("property failed at seed " + seed + ", try " + t + " (reproduce with new Random("
            + seed + " * 1_000_003L + " + t + ")) on input " + input + ": " + e, e);
      }
    }
  }

  /** Avro's encoding of an int or long: zig-zag, then little-endian base-128 varint. */
  public static byte[] zigZagVarint(long value) {
    long n = (value << 1) ^ (value >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream(10);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    return out.toByteArray();
  }

  /** {@code maxLength} or fewer random bytes. */
  public static byte[] bytes(Random random, int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Bytes allocated so far by the current thread (HotSpot's per-thread counter; monotonic). */
  public static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }
}
