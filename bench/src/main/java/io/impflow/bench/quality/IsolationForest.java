package io.impflow.bench.quality;

import java.util.SplittableRandom;

/**
 * Isolation Forest (Liu, Ting and Zhou 2008). Each tree is grown on a subsample of ψ rows drawn without
 * replacement: a node splits on an attribute drawn uniformly among those that vary in it (as scikit-learn does; the
 * paper draws among all), at a value uniform between that attribute's minimum and maximum there, until the node
 * holds one row, its rows are identical, or it lies at the height limit ⌈log₂ ψ⌉. A row's path length in a tree is
 * the number of edges to its leaf plus c(size of the leaf), the average path length of an unsuccessful search in a
 * binary search tree of that many rows, which stands in for the subtree left unbuilt. The anomaly score is
 * s(x) = 2^(−E[h(x)] / c(ψ)), in (0, 1], higher = more anomalous. All randomness comes from one seed.
 */
public final class IsolationForest {

  /** Euler–Mascheroni constant γ, for the harmonic-number estimate H(i) ≈ ln i + γ. */
  static final double EULER_GAMMA = 0.5772156649015329;

  private final Tree[] trees;
  private final double normalizer;

  private IsolationForest(Tree[] trees, int sampleSize) {
    this.trees = trees;
    this.normalizer = averagePathLength(sampleSize);
  }

  /**
   * A forest grown on {@code rows}.
   *
   * @param rows training rows, at least one, all of one length
   * @param treeCount number of trees
   * @param sampleSize rows per tree, ψ; a smaller training part is used whole by every tree
   * @param seed the seed of the subsamples and splits
   */
  public static IsolationForest fit(double[][] rows, int treeCount, int sampleSize, long seed) {
    if (rows.length == 0 || treeCount < 1 || sampleSize < 1) {
      throw new IllegalArgumentException("an isolation forest needs rows, trees and a sample size, got "
          + rows.length + " rows, " + treeCount + " trees, sample size " + sampleSize);
    }
    int psi = Math.min(sampleSize, rows.length);
    int heightLimit = heightLimit(psi);
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[rows.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Tree[] trees = new Tree[treeCount];
    for (int t = 0; t < treeCount; t++) {
      // partial Fisher–Yates: the first psi entries of order become a uniform sample without replacement
      for (int i = 0; i < psi; i++) {
        int j = i + random.nextInt(order.length - i);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      int[] sample = new int[psi];
      System.arraycopy(order, 0, sample, 0, psi);
      trees[t] = new Tree(rows, sample, heightLimit, random);
    }
    return new IsolationForest(trees, psi);
  }

  /** ⌈log₂ ψ⌉, the depth at which a tree stops splitting (about the average depth of a tree of ψ rows). */
  static int heightLimit(int psi) {
    return 32 - Integer.numberOfLeadingZeros(psi - 1);
  }

  /**
   * c(n) = 2 H(n − 1) − 2 (n − 1) / n for n &gt; 2 with H(i) ≈ ln i + γ, c(2) = 1 and c(n) = 0 below: the average
   * path length of an unsuccessful search in a binary search tree of n keys (Liu et al. 2008, eq. 1).
   */
  static double averagePathLength(long n) {
    if (n <= 1) {
      return 0;
    }
    if (n == 2) {
      return 1;
    }
    return 2 * (Math.log(n - 1) + EULER_GAMMA) - 2.0 * (n - 1) / n;
  }

  /** E[h(x)]: the path length of {@code x} averaged over the trees. */
  public double meanPathLength(double[] x) {
    double sum = 0;
    for (Tree tree : trees) {
      sum += tree.pathLength(x);
    }
    return sum / trees.length;
  }

  /** The anomaly score 2^(−E[h(x)] / c(ψ)); 1 when ψ = 1 (nothing to isolate from). */
  public double score(double[] x) {
    return normalizer > 0 ? Math.pow(2, -meanPathLength(x) / normalizer) : 1;
  }

  /** One isolation tree in flat arrays; a node is a leaf when its split attribute is −1. */
  private static final class Tree {

    private final int[] attribute;
    private final double[] split;
    private final int[] left;
    private final int[] right;
    /** For a leaf: c(rows in it), the estimated depth still to go. */
    private final double[] leafAdjustment;
    private int nodes;

    Tree(double[][] rows, int[] sample, int heightLimit, SplittableRandom random) {
      int capacity = 2 * sample.length - 1;
      attribute = new int[capacity];
      split = new double[capacity];
      left = new int[capacity];
      right = new int[capacity];
      leafAdjustment = new double[capacity];
      grow(rows, sample, 0, sample.length, 0, heightLimit, random, new int[rows[0].length]);
    }

    /** Grows the node of {@code sample[from..to)} at {@code depth}; returns its index. */
    private int grow(double[][] rows, int[] sample, int from, int to, int depth, int heightLimit,
        SplittableRandom random, int[] varying) {
      int node = nodes++;
      attribute[node] = -1;
      leafAdjustment[node] = averagePathLength(to - from);
      if (depth >= heightLimit || to - from <= 1) {
        return node;
      }
      int candidates = 0;
      for (int j = 0; j < varying.length; j++) {
        double first = rows[sample[from]][j];
        for (int i = from + 1; i < to; i++) {
          if (rows[sample[i]][j] != first) {
            varying[candidates++] = j;
            break;
          }
        }
      }
      if (candidates == 0) {
        return node;
      }
      int q = varying[random.nextInt(candidates)];
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = from; i < to; i++) {
        min = Math.min(min, rows[sample[i]][q]);
        max = Math.max(max, rows[sample[i]][q]);
      }
      double p = min + random.nextDouble() * (max - min);
      if (!(p < max)) {
        p = min; // rounding reached max: keep both sides non-empty
      }
      // rows with x[q] <= p first, the rest after
      int mid = from;
      for (int i = from; i < to; i++) {
        if (rows[sample[i]][q] <= p) {
          int swap = sample[mid];
          sample[mid++] = sample[i];
          sample[i] = swap;
        }
      }
      attribute[node] = q;
      split[node] = p;
      left[node] = grow(rows, sample, from, mid, depth + 1, heightLimit, random, varying);
      right[node] = grow(rows, sample, mid, to, depth + 1, heightLimit, random, varying);
      return node;
    }

    double pathLength(double[] x) {
      int node = 0;
      int edges = 0;
      while (attribute[node] >= 0) {
        node = x[attribute[node]] <= split[node] ? left[node] : right[node];
        edges++;
      }
      return edges + leafAdjustment[node];
    }
  }
}
