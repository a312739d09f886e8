package io.impflow.trainer.fit;

import io.impflow.model.flow.GaussianMixture;
import java.util.Arrays;
import java.util.Locale;
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
      kept[c] = GaussianMixtureEm.kept(heldOut.get(c), trim);
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

  private static double[] select(double[] values, boolean[] keep) {
    return java.util.stream.IntStream.range(0, values.length).filter(i -> keep[i]).mapToDouble(i -> values[i])
        .toArray();
  }

  private static double mean(double[] values, boolean[] keep) {
    return mean(select(values, keep));
  }

  /**
   * Trimmed EM for a K-component full-covariance mixture from a plain k-means++ seeding (unit covariances, equal
   * weights), with {@link #COVARIANCE_FLOOR}, {@link #EM_ITERATIONS} and the relative {@link #EM_TOLERANCE}.
   */
  static GaussianMixture fit(double[][] x, int k, long seed, double trim) {
    return GaussianMixtureEm.fit(x, new GaussianMixtureEm.Settings(k, COVARIANCE_FLOOR, 1, 0, EM_ITERATIONS,
        EM_TOLERANCE, GaussianMixtureEm.Stop.RELATIVE_CHANGE, trim, seed * 31 + k)).mixture();
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }
}
