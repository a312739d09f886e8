package io.impflow.trainer.fit;

import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.linalg.Cholesky;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * (Trimmed) EM for a K-component full-covariance Gaussian mixture from a seeded k-means start: the one EM behind the
 * flow's mixture base ({@link MixtureBaseSelection}) and the quality suite's scikit-learn-style mixture peer, which
 * differ only in their {@link Settings}. The result is the model's own {@link GaussianMixture}.
 */
public final class GaussianMixtureEm {

  /**
   * Lloyd's k-means stops when the centres move by less than this share of the mean feature variance (squared,
   * summed), as scikit-learn's {@code KMeans}.
   */
  static final double K_MEANS_TOLERANCE = 1e-4;

  /** When EM stops, given the change Δℓ of the mean log-likelihood ℓ per (kept) row between two E-steps. */
  public enum Stop {
    /** |Δℓ| &lt; tolerance · max(1, |ℓ|); the result is the mixture that ℓ was measured on. */
    RELATIVE_CHANGE,
    /** |Δℓ| &lt; tolerance, then one more M-step gives the result (scikit-learn's {@code GaussianMixture}). */
    ABSOLUTE_CHANGE_THEN_M_STEP
  }

  /**
   * What an EM fit does.
   *
   * @param components K, at most the number of rows
   * @param covarianceFloor added to every component covariance's diagonal in each M-step
   * @param seedingDraws k-means++ draws per new centre, the one giving the lowest potential kept (1 = plain
   *     k-means++; scikit-learn's greedy seeding draws 2 + ⌊ln K⌋)
   * @param lloydIterations Lloyd iterations at most after the seeding; 0 starts EM from the seeds as means with unit
   *     covariances and equal weights, more from the M-step of the k-means partition
   * @param maxIterations E-steps at most
   * @param tolerance the change of the mean log-likelihood that ends EM, read as {@code stop} says
   * @param stop the stopping rule
   * @param trim share of the rows left out of each M-step: the ⌊trim · n⌋ least likely under the E-step's mixture
   *     get zero responsibility (0 = plain EM)
   * @param seed seed of the k-means++ seeding
   */
  public record Settings(int components, double covarianceFloor, int seedingDraws, int lloydIterations,
      int maxIterations, double tolerance, Stop stop, double trim, long seed) {

    /** Checks the ranges. */
    public Settings {
      if (components < 1 || seedingDraws < 1 || lloydIterations < 0 || maxIterations < 1) {
        throw new IllegalArgumentException("components, seeding draws and EM iterations must be positive, Lloyd"
            + " iterations non-negative; got " + components + ", " + seedingDraws + ", " + maxIterations + ", "
            + lloydIterations);
      }
      if (!(covarianceFloor >= 0) || !(tolerance >= 0) || !(trim >= 0 && trim < 1)) {
        throw new IllegalArgumentException("covariance floor and tolerance must be ≥ 0 and the trim share in [0, 1);"
            + " got " + covarianceFloor + ", " + tolerance + ", " + trim);
      }
    }
  }

  /**
   * A fitted mixture with the trace of its fit.
   *
   * @param mixture the fitted mixture
   * @param meanLogLikelihoods the mean log-likelihood per kept row at each E-step (non-decreasing up to rounding for
   *     untrimmed EM)
   * @param converged whether the stopping rule held before the iteration limit
   */
  public record Fit(GaussianMixture mixture, double[] meanLogLikelihoods, boolean converged) {}

  private GaussianMixtureEm() {}

  /**
   * Fits a mixture to {@code x}.
   *
   * @param x n×d rows, n ≥ K
   * @param settings what the fit does
   * @return the fit
   * @throws IllegalArgumentException when there are fewer rows than components
   */
  public static Fit fit(double[][] x, Settings settings) {
    int n = x.length;
    int k = settings.components();
    if (n < k) {
      throw new IllegalArgumentException("a " + k + "-component mixture needs at least " + k + " rows, got " + n);
    }
    int d = x[0].length;
    SplittableRandom random = new SplittableRandom(settings.seed());
    double[][] seeds = kMeansPlusPlus(x, k, settings.seedingDraws(), random);
    double[][] resp = new double[n][k];
    GaussianMixture current;
    if (settings.lloydIterations() == 0) {
      double[] weights = new double[k];
      Arrays.fill(weights, 1.0 / k);
      double[][][] factors = new double[k][][];
      for (int c = 0; c < k; c++) {
        factors[c] = identity(d);
      }
      current = new GaussianMixture(weights, seeds, factors);
    } else {
      int[] labels = lloyd(x, seeds, settings.lloydIterations());
      for (int i = 0; i < n; i++) {
        resp[i][labels[i]] = 1;
      }
      current = maximize(x, resp, k, settings.covarianceFloor());
    }
    boolean relative = settings.stop() == Stop.RELATIVE_CHANGE;
    double[] trace = new double[settings.maxIterations()];
    double previous = Double.NEGATIVE_INFINITY;
    for (int iteration = 0; iteration < settings.maxIterations(); iteration++) {
      double meanLl = expect(current, x, resp, settings.trim());
      trace[iteration] = meanLl;
      double change = Math.abs(meanLl - previous);
      if (relative ? change < settings.tolerance() * Math.max(1, Math.abs(meanLl)) : change < settings.tolerance()) {
        if (!relative) {
          current = maximize(x, resp, k, settings.covarianceFloor());
        }
        return new Fit(current, Arrays.copyOf(trace, iteration + 1), true);
      }
      previous = meanLl;
      current = maximize(x, resp, k, settings.covarianceFloor());
    }
    return new Fit(current, trace, false);
  }

  /** Which rows a trimmed likelihood keeps: all but the {@code floor(trim · n)} of lowest log-likelihood. */
  static boolean[] kept(double[] ll, double trim) {
    int n = ll.length;
    boolean[] keep = new boolean[n];
    Arrays.fill(keep, true);
    int dropped = Math.min((int) Math.floor(trim * n), n - 1);
    if (dropped > 0) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(ll[a], ll[b]));
      for (int i = 0; i < dropped; i++) {
        keep[order[i]] = false;
      }
    }
    return keep;
  }

  /**
   * E-step: responsibilities in place, zero for the trimmed rows; returns the mean log-likelihood of the kept rows.
   */
  private static double expect(GaussianMixture m, double[][] x, double[][] resp, double trim) {
    int k = m.components();
    double[] weights = m.weights();
    double[][] means = m.means();
    double[][][] factors = m.choleskyFactors();
    double[][] componentLl = new double[k][];
    for (int c = 0; c < k; c++) {
      componentLl[c] = new GaussianMixture(new double[] {1}, new double[][] {means[c]},
          new double[][][] {factors[c]}).logDensity(x);
    }
    double[] rowLl = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        resp[i][c] = Math.log(weights[c]) + componentLl[c][i];
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
      rowLl[i] = max + Math.log(sum);
    }
    boolean[] keep = kept(rowLl, trim);
    double total = 0;
    int count = 0;
    for (int i = 0; i < x.length; i++) {
      if (keep[i]) {
        total += rowLl[i];
        count++;
      } else {
        Arrays.fill(resp[i], 0);
      }
    }
    return total / count;
  }

  /**
   * M-step with the covariance floor; a component that lost all its rows keeps a weight of 1e-9 (before
   * normalization), a zero mean and the floor as covariance, so its log-density stays defined.
   */
  private static GaussianMixture maximize(double[][] x, double[][] resp, int k, double floor) {
    int n = x.length;
    int d = x[0].length;
    double[] weights = new double[k];
    double[][] means = new double[k][d];
    double[][][] factors = new double[k][][];
    for (int c = 0; c < k; c++) {
      double nk = 0;
      for (int i = 0; i < n; i++) {
        nk += resp[i][c];
      }
      nk = Math.max(nk, 1e-9 * n);
      weights[c] = nk;
      for (int i = 0; i < n; i++) {
        double r = resp[i][c];
        for (int a = 0; a < d; a++) {
          means[c][a] += r * x[i][a] / nk;
        }
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
        cov[a][a] += floor;
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
   * k-means++ centres: the first a uniformly drawn row, each next one the best (lowest potential) of {@code draws}
   * rows drawn in proportion to the squared distance to the nearest centre so far.
   */
  static double[][] kMeansPlusPlus(double[][] x, int k, int draws, SplittableRandom random) {
    int n = x.length;
    double[][] centres = new double[k][];
    centres[0] = x[random.nextInt(n)].clone();
    double[] nearest = new double[n];
    for (int i = 0; i < n; i++) {
      nearest[i] = squaredDistance(x[i], centres[0]);
    }
    for (int c = 1; c < k; c++) {
      double potential = 0;
      for (double v : nearest) {
        potential += v;
      }
      double bestPotential = Double.POSITIVE_INFINITY;
      double[] bestNearest = null;
      int best = -1;
      for (int t = 0; t < draws; t++) {
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
    return centres;
  }

  /**
   * Lloyd's k-means from {@code centres}, at most {@code iterations} updates, stopped early by
   * {@link #K_MEANS_TOLERANCE}; returns each row's nearest final centre.
   */
  static int[] lloyd(double[][] x, double[][] centres, int iterations) {
    int n = x.length;
    int d = x[0].length;
    int k = centres.length;
    double tolerance = K_MEANS_TOLERANCE * meanVariance(x);
    int[] labels = new int[n];
    for (int iteration = 0; iteration < iterations; iteration++) {
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

  /** A row index drawn with probability weight/total; the last row when rounding leaves u above every step. */
  private static int drawProportional(double[] weights, double total, SplittableRandom random) {
    double u = random.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u <= 0) {
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

  private static double[][] identity(int d) {
    double[][] m = new double[d][d];
    for (int i = 0; i < d; i++) {
      m[i][i] = 1;
    }
    return m;
  }
}
