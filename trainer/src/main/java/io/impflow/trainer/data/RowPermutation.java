package io.impflow.trainer.data;

import java.util.SplittableRandom;

/** Seeded random orderings of row indices (Fisher–Yates), shared by splits, hold-out selection and batching. */
public final class RowPermutation {

  private RowPermutation() {}

  /** A uniformly random permutation of {@code 0..n-1} drawn from {@code random}. */
  public static int[] random(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, random);
    return p;
  }

  /** Shuffles {@code values} in place with {@code random}. */
  public static void shuffle(int[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }
}
