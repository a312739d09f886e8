package io.impflow.bench.quality;

/**
 * Local Outlier Factor (Breunig et al. 2000) in novelty mode: the training rows' k-neighbourhoods, k-distances and
 * local reachability densities are fitted once (a training row is not its own neighbour), and a new row's LOF is
 * the mean density of its k nearest training rows divided by its own density. With reach-dist(p, o) =
 * max(k-distance(o), d(p, o)) and lrd(p) = 1 / (mean over p's neighbours o of reach-dist(p, o) + ε), LOF ≈ 1 inside
 * a cluster of even density and grows with isolation. Neighbourhoods have exactly k rows (ties at the k-distance
 * are broken by training-row index), and ε = {@value #DENSITY_EPSILON} keeps the density of duplicated rows finite;
 * both as in scikit-learn's {@code LocalOutlierFactor(novelty=True)}.
 */
public final class LocalOutlierFactor {

  /** Added to a mean reachability distance before it is inverted, so that duplicated rows do not divide by 0. */
  public static final double DENSITY_EPSILON = 1e-10;

  private final NearestNeighbours training;
  private final int k;
  private final double[] kDistance;
  private final double[] density;

  private LocalOutlierFactor(NearestNeighbours training, int k) {
    this.training = training;
    this.k = k;
    NearestNeighbours.Neighbours neighbours = training.searchAmongReference(k);
    this.kDistance = new double[training.size()];
    for (int i = 0; i < kDistance.length; i++) {
      kDistance[i] = neighbours.distance(i, k - 1);
    }
    this.density = new double[training.size()];
    for (int i = 0; i < density.length; i++) {
      density[i] = reachabilityDensity(neighbours, i);
    }
  }

  /**
   * The training rows' neighbourhoods and densities.
   *
   * @param rows training rows (already scaled as the distance should see them), at least 2
   * @param k neighbourhood size; a training part of at most k rows uses k = rows − 1
   */
  public static LocalOutlierFactor fit(double[][] rows, int k) {
    if (rows.length < 2 || k < 1) {
      throw new IllegalArgumentException("LOF needs at least 2 training rows and k ≥ 1, got " + rows.length
          + " rows and k = " + k);
    }
    return new LocalOutlierFactor(new NearestNeighbours(rows), Math.min(k, rows.length - 1));
  }

  /** The neighbourhood size used (the requested k, or rows − 1 for a smaller training part). */
  public int k() {
    return k;
  }

  /** The LOF of each row of {@code queries} against the training rows (higher = more anomalous). */
  public double[] scores(double[][] queries) {
    NearestNeighbours.Neighbours neighbours = training.search(queries, k);
    double[] scores = new double[queries.length];
    for (int i = 0; i < scores.length; i++) {
      double neighbourDensity = 0;
      for (int r = 0; r < k; r++) {
        neighbourDensity += density[neighbours.index(i, r)];
      }
      scores[i] = neighbourDensity / k / reachabilityDensity(neighbours, i);
    }
    return scores;
  }

  /** The local reachability density of training row {@code row}. */
  double trainingDensity(int row) {
    return density[row];
  }

  private double reachabilityDensity(NearestNeighbours.Neighbours neighbours, int query) {
    double reach = 0;
    for (int r = 0; r < k; r++) {
      reach += Math.max(kDistance[neighbours.index(query, r)], neighbours.distance(query, r));
    }
    return 1 / (reach / k + DENSITY_EPSILON);
  }
}
