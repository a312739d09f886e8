package io.impflow.trainer.fit;

import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.linalg.Cholesky;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the flow's base density before training: Gaussian mixtures with K = 1..max components are fitted by EM
 * to the (whitened) training rows and compared on the held-out rows by the one-standard-error rule: the fewest
 * components whose held-out mean log-likelihood is within one standard error (of the paired per-row differences)
 * of the best K's. K = 1 is the standard normal itself (the whitened rows' Gaussian). With few held-out rows the
 * error is large and the simpler density is kept; with many, clusters that the held-out rows confirm are kept. Component covariances get
 * {@link #COVARIANCE_FLOOR} added to their diagonal (in whitened units), so a component cannot collapse onto a
 * spike of repeated values, and K stops growing before a component would average fewer than
 * {@link #ROWS_PER_PARAMETER} rows per parameter.
 *
 * <p>With a trimmed share q &gt; 0 (contaminated training rows) the fit and the comparison are trimmed likelihoods:
 * every EM step leaves the least likely q of the training rows out (so anomalies get no component of their own),
 * and each K is scored on the held-out rows without its least likely q, compared on the rows both keep.
 */
public final class MixtureBaseSelection {

  private static final Logger LOG = LoggerFactory.getLogger(MixtureBaseSelection.class);

  /** Added to every component covariance's diagonal, in whitened units. */
  static final double COVARIANCE_FLOOR = 0.1;
  /** Fewest training rows per free parameter of a component. */
  static final double ROWS_PER_PARAMETER = 0.5;
  /** EM iterations at most, and the relative change of the mean log-likelihood that ends EM earlier. */
  static final int EM_ITERATIONS = 200;
  static final double EM_TOLERANCE = 1e-7;

  private MixtureBaseSelection() {}

  /**
   * The base density for a flow trained on {@code train}, chosen on {@code validation}.
   *
   * @param train whitened training rows
   * @param validation whitened held-out rows
   * @param maxComponents largest K tried (1 = always the standard normal)
   * @param seed seed of the k-means++ initialization
   * @param trim share of the least likely rows left out of fit and comparison (0 = plain likelihood)
   * @return the chosen mixture
   */
  public static GaussianMixture select(double[][] train, double[][] validation, int maxComponents, long seed,
      double trim) {
    int d = train[0].length;
    java.util.List<GaussianMixture> candidates = new java.util.ArrayList<>();
    java.util.List<double[]> heldOut = new java.util.ArrayList<>();
    candidates.add(GaussianMixture.standardNormal(d));
    heldOut.add(candidates.get(0).logDensity(validation));
    double parametersPerComponent = d + d * (d + 1) / 2.0 + 1;
    for (int k = 2; k <= maxComponents; k++) {
      if (train.length < ROWS_PER_PARAMETER * parametersPerComponent * k) {
        break;
      }
      GaussianMixture candidate = fit(train, k, seed, trim);
      candidates.add(candidate);
      heldOut.add(candidate.logDensity(validation));
    }
    boolean[][] kept = new boolean[candidates.size()][];
    for (int c = 0; c < candidates.size(); c++) {
      kept[c] = kept(heldOut.get(c), trim);
    }
    double[] scores = new double[candidates.size()];
    for (int c = 0; c < candidates.size(); c++) {
      scores[c] = mean(heldOut.get(c), kept[c]);
    }
    int best = 0;
    StringBuilder tried = new StringBuilder();
    for (int c = 0; c < candidates.size(); c++) {
      double score = scores[c];
      tried.append(String.format(Locale.ROOT, "%sK=%d: %.4f", c == 0 ? "" : ", ", candidates.get(c).components(),
          score));
      if (score > scores[best]) {
        best = c;
      }
    }
    int chosen = best;
    for (int c = 0; c < best; c++) {
      boolean[] both = new boolean[kept[c].length];
      for (int i = 0; i < both.length; i++) {
        both[i] = kept[c][i] && kept[best][i];
      }
      if (withinOneStandardError(select(heldOut.get(best), both), select(heldOut.get(c), both))) {
        chosen = c;
        break;
      }
    }
    LOG.info("base density: {} component(s) (held-out mean log-likelihood per K: {}; best K={}, the fewest within"
        + " one standard error kept)", candidates.get(chosen).components(), tried,
        candidates.get(best).components());
    return candidates.get(chosen);
  }

  /** Whether the mean per-row gain of {@code best} over {@code simpler} is at most its standard error. */
  static boolean withinOneStandardError(double[] best, double[] simpler) {
    int n = best.length;
    if (n < 2) {
      return true;
    }
    double[] diff = new double[n];
    for (int i = 0; i < n; i++) {
      diff[i] = best[i] - simpler[i];
    }
    double mean = mean(diff);
    double var = 0;
    for (double v : diff) {
      var += (v - mean) * (v - mean);
    }
    double standardError = Math.sqrt(var / (n - 1) / n);
    return mean <= standardError;
  }

  /** Which rows a trimmed likelihood keeps: all but the {@code floor(trim · n)} of lowest log-likelihood. */
  static boolean[] kept(double[] ll, double trim) {
    int n = ll.length;
    boolean[] keep = new boolean[n];
    java.util.Arrays.fill(keep, true);
    int dropped = Math.min((int) Math.floor(trim * n), n - 1);
    if (dropped > 0) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(ll[a], ll[b]));
      for (int i = 0; i < dropped; i++) {
        keep[order[i]] = false;
      }
    }
    return keep;
  }

  private static double[] select(double[] values, boolean[] keep) {
    return java.util.stream.IntStream.range(0, values.length).filter(i -> keep[i]).mapToDouble(i -> values[i])
        .toArray();
  }

  private static double mean(double[] values, boolean[] keep) {
    return mean(select(values, keep));
  }

  /** Trimmed EM for a K-component full-covariance mixture, initialized by k-means++ seeding. */
  static GaussianMixture fit(double[][] x, int k, long seed, double trim) {
    int n = x.length;
    int d = x[0].length;
    double[][] means = kMeansPlusPlus(x, k, new SplittableRandom(seed * 31 + k));
    double[] weights = new double[k];
    Arrays.fill(weights, 1.0 / k);
    double[][][] factors = new double[k][][];
    for (int c = 0; c < k; c++) {
      factors[c] = identity(d);
    }
    GaussianMixture current = new GaussianMixture(weights, means, factors);
    double[][] resp = new double[n][k];
    double previous = Double.NEGATIVE_INFINITY;
    for (int iteration = 0; iteration < EM_ITERATIONS; iteration++) {
      double meanLl = responsibilities(current, x, resp, trim);
      if (Math.abs(meanLl - previous) < EM_TOLERANCE * Math.max(1, Math.abs(meanLl))) {
        break;
      }
      previous = meanLl;
      current = maximize(x, resp, k, d);
    }
    return current;
  }

  /**
   * E-step: responsibilities in place, zero for the trimmed rows; returns the mean log-likelihood of the kept rows.
   */
  private static double responsibilities(GaussianMixture m, double[][] x, double[][] resp, double trim) {
    int k = m.components();
    double total = 0;
    GaussianMixture[] single = new GaussianMixture[k];
    double[] weights = m.weights();
    double[][] means = m.means();
    double[][][] factors = m.choleskyFactors();
    for (int c = 0; c < k; c++) {
      single[c] = new GaussianMixture(new double[] {1}, new double[][] {means[c]}, new double[][][] {factors[c]});
    }
    double[] rowLl = new double[x.length];
    double[][] componentLl = new double[k][];
    for (int c = 0; c < k; c++) {
      componentLl[c] = single[c].logDensity(x);
    }
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
    int count = 0;
    for (int i = 0; i < x.length; i++) {
      if (keep[i]) {
        total += rowLl[i];
        count++;
      } else {
        java.util.Arrays.fill(resp[i], 0);
      }
    }
    return total / count;
  }

  /** M-step with the covariance floor; a component that lost all its rows restarts as N(0, I) with a small weight. */
  private static GaussianMixture maximize(double[][] x, double[][] resp, int k, int d) {
    double[] weights = new double[k];
    double[][] means = new double[k][d];
    double[][][] factors = new double[k][][];
    int n = x.length;
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
        cov[a][a] += COVARIANCE_FLOOR;
      }
      factors[c] = Cholesky.factor(cov);
    }
    double sum = Arrays.stream(weights).sum();
    for (int c = 0; c < k; c++) {
      weights[c] /= sum;
    }
    return new GaussianMixture(weights, means, factors);
  }

  private static double[][] kMeansPlusPlus(double[][] x, int k, SplittableRandom random) {
    int n = x.length;
    double[][] centers = new double[k][];
    centers[0] = x[random.nextInt(n)].clone();
    double[] dist = new double[n];
    Arrays.fill(dist, Double.POSITIVE_INFINITY);
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        dist[i] = Math.min(dist[i], squaredDistance(x[i], centers[c - 1]));
        total += dist[i];
      }
      double u = random.nextDouble() * total;
      int pick = n - 1;
      for (int i = 0; i < n; i++) {
        u -= dist[i];
        if (u <= 0) {
          pick = i;
          break;
        }
      }
      centers[c] = x[pick].clone();
    }
    return centers;
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

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }
}
