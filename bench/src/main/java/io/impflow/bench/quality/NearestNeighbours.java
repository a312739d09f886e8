package io.impflow.bench.quality;

import java.util.Arrays;

/**
 * Exact k-nearest-neighbour search in float64 Euclidean distance by brute force, for the distance-based peers. The
 * reference rows are stored feature-major in one array and visited in blocks of {@value #BLOCK} rows that stay in
 * cache while every query passes: for each query the squared distances to a block's rows are accumulated feature by
 * feature into a small buffer (independent rows, no dependency chain per pair), then the buffer is scanned against
 * the query's k best so far, kept in a small array sorted by insertion. No allocation per candidate. Equal
 * distances are ordered by reference index (the lower first), so results are deterministic. (Measured on shuttle's
 * 31,910 × 9 training rows: the neighbourhoods of every training row among the others take about 5 CPU seconds,
 * against about 7 for a row-major scan, with or without abandoning a row once its partial sum is too large.)
 */
public final class NearestNeighbours {

  /** Reference rows per block: 512 rows × 36 features fit a core's L2 cache. */
  static final int BLOCK = 512;

  /** Feature j of reference row r at {@code r * dimension + j}. */
  private final double[] rows;
  /** Feature j of reference row r at {@code j * size + r}. */
  private final double[] columns;
  private final int size;
  private final int dimension;

  /** A search over {@code rows} (copied; at least one row, all of one length). */
  public NearestNeighbours(double[][] rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("a neighbour search needs at least one reference row");
    }
    this.size = rows.length;
    this.dimension = rows[0].length;
    this.rows = flatten(rows, dimension);
    this.columns = new double[this.rows.length];
    for (int r = 0; r < size; r++) {
      for (int j = 0; j < dimension; j++) {
        columns[j * size + r] = this.rows[r * dimension + j];
      }
    }
  }

  /** Number of reference rows. */
  public int size() {
    return size;
  }

  /**
   * The {@code k} nearest reference rows of each query row.
   *
   * @param queries rows of the reference rows' length
   * @param k neighbours per query, 1 ≤ k ≤ {@link #size()}
   */
  public Neighbours search(double[][] queries, int k) {
    checkK(k, size);
    return search(flatten(queries, dimension), queries.length, k, false);
  }

  /**
   * The {@code k} nearest other reference rows of every reference row: a row is not its own neighbour (it is left
   * out by index; an identical copy of it is a neighbour at distance 0).
   *
   * @param k neighbours per row, 1 ≤ k &lt; {@link #size()}
   */
  public Neighbours searchAmongReference(int k) {
    checkK(k, size - 1);
    return search(rows, size, k, true);
  }

  private static void checkK(int k, int available) {
    if (k < 1 || k > available) {
      throw new IllegalArgumentException("k = " + k + " with " + available + " candidate rows per query");
    }
  }

  /**
   * The k nearest neighbours of the {@code count} row-major {@code queries}; with {@code excludeSelf}, query i is
   * reference row i and is not its own neighbour.
   */
  private Neighbours search(double[] queries, int count, int k, boolean excludeSelf) {
    int[] indices = new int[count * k];
    double[] squared = new double[count * k];
    int[] found = new int[count];
    double[] worst = new double[count];
    Arrays.fill(worst, Double.POSITIVE_INFINITY);
    double[] block = new double[BLOCK];
    for (int start = 0; start < size; start += BLOCK) {
      int length = Math.min(BLOCK, size - start);
      for (int i = 0; i < count; i++) {
        accumulate(queries, i * dimension, start, length, block);
        int first = i * k;
        int self = excludeSelf ? i - start : -1;
        int kept = found[i];
        double bound = worst[i];
        for (int r = 0; r < length; r++) {
          double s = block[r];
          if ((s < bound || kept < k) && r != self) {
            // the candidate goes before every kept one that is farther; when full, the farthest drops out
            int p = kept < k ? kept++ : k - 1;
            while (p > 0 && squared[first + p - 1] > s) {
              squared[first + p] = squared[first + p - 1];
              indices[first + p] = indices[first + p - 1];
              p--;
            }
            squared[first + p] = s;
            indices[first + p] = start + r;
            if (kept == k) {
              bound = squared[first + k - 1];
            }
          }
        }
        found[i] = kept;
        worst[i] = bound;
      }
    }
    for (int p = 0; p < squared.length; p++) {
      squared[p] = Math.sqrt(squared[p]);
    }
    return new Neighbours(k, indices, squared);
  }

  /** block[r] = squared distance from the query at {@code queries[from..]} to reference row start + r. */
  private void accumulate(double[] queries, int from, int start, int length, double[] block) {
    Arrays.fill(block, 0, length, 0);
    for (int j = 0; j < dimension; j++) {
      double q = queries[from + j];
      int offset = j * size + start;
      for (int r = 0; r < length; r++) {
        double t = q - columns[offset + r];
        block[r] += t * t;
      }
    }
  }

  private static double[] flatten(double[][] rows, int dimension) {
    double[] flat = new double[rows.length * dimension];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != dimension) {
        throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, expected " + dimension);
      }
      System.arraycopy(rows[i], 0, flat, i * dimension, dimension);
    }
    return flat;
  }

  /**
   * The k nearest neighbours of each query, nearest first, stored row-major (query i's r-th nearest at i·k + r).
   */
  public static final class Neighbours {

    private final int k;
    private final int[] indices;
    private final double[] distances;

    private Neighbours(int k, int[] indices, double[] distances) {
      this.k = k;
      this.indices = indices;
      this.distances = distances;
    }

    /** Neighbours per query. */
    public int k() {
      return k;
    }

    /** Number of queries. */
    public int queries() {
      return indices.length / k;
    }

    /** Reference index of query {@code query}'s neighbour of rank {@code rank} (0 = nearest). */
    public int index(int query, int rank) {
      return indices[query * k + rank];
    }

    /** Euclidean distance from query {@code query} to its neighbour of rank {@code rank} (0 = nearest). */
    public double distance(int query, int rank) {
      return distances[query * k + rank];
    }

    /** Mean distance from query {@code query} to its k neighbours. */
    public double meanDistance(int query) {
      double sum = 0;
      for (int p = query * k; p < (query + 1) * k; p++) {
        sum += distances[p];
      }
      return sum / k;
    }
  }
}
