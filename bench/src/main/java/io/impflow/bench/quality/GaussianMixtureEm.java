package io.impflow.bench.quality;

import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.linalg.Cholesky;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Maximum-likelihood fit of a K-component full-covariance Gaussian mixture by EM, configured as scikit-learn's
 * {@code GaussianMixture} defaults: responsibilities initialized from the labels of one seeded k-means run (greedy
 * k-means++ seeding, then Lloyd iterations), {@value #REG_COVAR} added to every covariance diagonal, EM stopped when
 * the mean log-likelihood changes by less than {@value #TOLERANCE} or after {@value #MAX_ITERATIONS} iterations. The
 * result is the model's own {@link GaussianMixture}, whose exact float64 log-density scores rows. The trainer's EM
 * ({@code MixtureBaseSelection.fit}) is not reused: it is package-private there and fixes what this peer must set
 * differently (a covariance floor of 0.1 in whitened units, a k-means++ start without Lloyd iterations); one EM with
 * those two as parameters could serve both.
 */
final class GaussianMixtureEm {

  /** Added to each component covariance's diagonal (scikit-learn's {@code reg_covar}). */
  static final double REG_COVAR = 1e-6;
  /** Change of the mean log-likelihood per row that ends EM (scikit-learn's {@code tol}). */
  static final double TOLERANCE = 1e-3;
  /** EM iterations at most (scikit-learn's {@code max_iter}). */
  static final int MAX_ITERATIONS = 100;
  static final int K_MEANS_ITERATIONS = 300;
  static final double K_MEANS_TOLERANCE = 1e-4;

  /**
   * A fitted mixture with the trace of its fit.
   *
   * @param mixture the mixture after the last M-step
   * @param meanLogLikelihoods the mean log-likelihood per row before each M-step (non-decreasing up to rounding)
   * @param converged whether the change fell below the tolerance before the iteration limit
   */
  record Fit(GaussianMixture mixture, double[] meanLogLikelihoods, boolean converged) {}

  private GaussianMixtureEm() {}

  /**
   * Fits {@code k} components to {@code x}.
   *
   * @param x n×d rows, n ≥ k
   * @param k number of components
   * @param seed seed of the k-means++ seeding
   * @throws IllegalArgumentException when there are fewer rows than components
   */
  static Fit fit(double[][] x, int k, long seed) {
    int n = x.length;
    if (n < k) {
      throw new IllegalArgumentException("a " + k + "-component mixture needs at least " + k + " rows, got " + n);
    }
    int[] labels = kMeans(x, k, new SplittableRandom(seed));
    double[][] resp = new double[n][k];
    for (int i = 0; i < n; i++) {
      resp[i][labels[i]] = 1;
    }
    GaussianMixture mixture = maximize(x, resp, k);
    double[] trace = new double[MAX_ITERATIONS];
    double previous = Double.NEGATIVE_INFINITY;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double meanLogLikelihood = expect(mixture, x, resp);
      trace[iteration] = meanLogLikelihood;
      mixture = maximize(x, resp, k);
      if (Math.abs(meanLogLikelihood - previous) < TOLERANCE) {
        return new Fit(mixture, Arrays.copyOf(trace, iteration + 1), true);
      }
      previous = meanLogLikelihood;
    }
    return new Fit(mixture, trace, false);
  }

  /** E-step: the responsibilities in place; returns the mean log-likelihood per row. */
  private static double expect(GaussianMixture mixture, double[][] x, double[][] resp) {
    int k = mixture.components();
    double[][] componentLogDensity = new double[k][];
    for (int c = 0; c < k; c++) {
      GaussianMixture single = new GaussianMixture(new double[] {1}, new double[][] {mixture.means()[c]},
          new double[][][] {mixture.choleskyFactors()[c]});
      componentLogDensity[c] = single.logDensity(x);
    }
    double[] logWeights = Arrays.stream(mixture.weights()).map(Math::log).toArray();
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        resp[i][c] = logWeights[c] + componentLogDensity[c][i];
        max = Math.max(max, resp[i][c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        resp[i][c] = Math.exp(resp[i][c] - max);
        sum += resp[i][c];
      }
      for (int c = 0; c < k; c++) {
        resp[i][c] /= sum;
      }
      total += max + Math.log(sum);
    }
    return total / x.length;
  }

  /** M-step: weights, means and covariances (plus the regularization) from the responsibilities. */
  private static GaussianMixture maximize(double[][] x, double[][] resp, int k) {
    int n = x.length;
    int d = x[0].length;
    double[] weights = new double[k];
    double[][] means = new double[k][d];
    double[][][] factors = new double[k][][];
    for (int c = 0; c < k; c++) {
      // scikit-learn's 10·ε keeps an emptied component's weight and mean defined
      double nk = 10 * Math.ulp(1.0);
      for (double[] r : resp) {
        nk += r[c];
      }
      weights[c] = nk / n;
      for (int i = 0; i < n; i++) {
        for (int a = 0; a < d; a++) {
          means[c][a] += resp[i][c] * x[i][a];
        }
      }
      for (int a = 0; a < d; a++) {
        means[c][a] /= nk;
      }
      double[][] cov = new double[d][d];
      double[] diff = new double[d];
      for (int i = 0; i < n; i++) {
        double r = resp[i][c];
        if (r == 0) {
          continue;
        }
        for (int a = 0; a < d; a++) {
          diff[a] = x[i][a] - means[c][a];
        }
        for (int a = 0; a < d; a++) {
          double ra = r * diff[a];
          for (int b = 0; b <= a; b++) {
            cov[a][b] += ra * diff[b];
          }
        }
      }
      for (int a = 0; a < d; a++) {
        for (int b = 0; b <= a; b++) {
          cov[a][b] /= nk;
          cov[b][a] = cov[a][b];
        }
        cov[a][a] += REG_COVAR;
      }
      factors[c] = Cholesky.factor(cov);
    }
    double sum = Arrays.stream(weights).sum();
    for (int c = 0; c < k; c++) {
      weights[c] /= sum;
    }
    return new GaussianMixture(weights, means, factors);
  }

  /**
   * Lloyd's k-means from greedy k-means++ centres (each new centre the best of 2 + ⌊ln k⌋ candidates drawn in
   * proportion to the squared distance to the nearest centre so far); stops when the centres move by less than
   * {@value #K_MEANS_TOLERANCE} of the mean feature variance (squared, summed), as scikit-learn's KMeans.
   */
  static int[] kMeans(double[][] x, int k, SplittableRandom random) {
    int n = x.length;
    int d = x[0].length;
    double[][] centres = new double[k][];
    double[] nearest = new double[n];
    centres[0] = x[random.nextInt(n)].clone();
    for (int i = 0; i < n; i++) {
      nearest[i] = squaredDistance(x[i], centres[0]);
    }
    int trials = 2 + (int) Math.log(k);
    for (int c = 1; c < k; c++) {
      double potential = Arrays.stream(nearest).sum();
      double bestPotential = Double.POSITIVE_INFINITY;
      double[] bestNearest = null;
      int best = -1;
      for (int t = 0; t < trials; t++) {
        int candidate = drawProportional(nearest, potential, random);
        double[] candidateNearest = new double[n];
        double candidatePotential = 0;
        for (int i = 0; i < n; i++) {
          candidateNearest[i] = Math.min(nearest[i], squaredDistance(x[i], x[candidate]));
          candidatePotential += candidateNearest[i];
        }
        if (candidatePotential < bestPotential) {
          bestPotential = candidatePotential;
          bestNearest = candidateNearest;
          best = candidate;
        }
      }
      centres[c] = x[best].clone();
      nearest = bestNearest;
    }
    double tolerance = K_MEANS_TOLERANCE * meanVariance(x);
    int[] labels = new int[n];
    for (int iteration = 0; iteration < K_MEANS_ITERATIONS; iteration++) {
      for (int i = 0; i < n; i++) {
        labels[i] = closest(x[i], centres);
      }
      double[][] updated = new double[k][d];
      int[] counts = new int[k];
      for (int i = 0; i < n; i++) {
        counts[labels[i]]++;
        for (int a = 0; a < d; a++) {
          updated[labels[i]][a] += x[i][a];
        }
      }
      double shift = 0;
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) {
          updated[c] = centres[c];
          continue;
        }
        for (int a = 0; a < d; a++) {
          updated[c][a] /= counts[c];
        }
        shift += squaredDistance(updated[c], centres[c]);
      }
      centres = updated;
      if (shift <= tolerance) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      labels[i] = closest(x[i], centres);
    }
    return labels;
  }

  private static int drawProportional(double[] weights, double total, SplittableRandom random) {
    double u = random.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static int closest(double[] row, double[][] centres) {
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int c = 0; c < centres.length; c++) {
      double distance = squaredDistance(row, centres[c]);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    return best;
  }

  private static double meanVariance(double[][] x) {
    int d = x[0].length;
    double total = 0;
    for (int a = 0; a < d; a++) {
      double mean = 0;
      for (double[] row : x) {
        mean += row[a] / x.length;
      }
      double var = 0;
      for (double[] row : x) {
        var += (row[a] - mean) * (row[a] - mean) / x.length;
      }
      total += var / d;
    }
    return total;
  }

  private static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double t = a[j] - b[j];
      s += t * t;
    }
    return s;
  }
}
