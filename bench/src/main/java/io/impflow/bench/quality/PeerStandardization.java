package io.impflow.bench.quality;

import io.impflow.model.flow.Standardization;
import io.impflow.trainer.data.SplitProtocol;
import org.apache.commons.math3.stat.StatUtils;

/**
 * The feature scaling of the distance-based peers (k-NN, LOF): each feature's mean and sample standard deviation
 * over the training part, so that no feature dominates a Euclidean distance by its units. A feature that is
 * constant in the training part keeps scale 1 (it is then 0 for every training row and adds a test row's raw
 * deviation from that constant), where {@link Standardization#fit} would refuse it. {@link #apply} also serves RCF,
 * which fits the strict {@link Standardization}.
 */
final class PeerStandardization {

  private PeerStandardization() {}

  /**
   * A split's rows, both parts scaled by the training part's fit.
   *
   * @param train the training rows, scaled
   * @param test the test rows, scaled
   */
  record ScaledSplit(double[][] train, double[][] test) {

    /** Fits the scaling on {@code split.train()} and applies it to both parts. */
    static ScaledSplit of(SplitProtocol.Split split) {
      Standardization scaling = fit(split.train().rows());
      return new ScaledSplit(apply(split.train().rows(), scaling), apply(split.test().rows(), scaling));
    }
  }

  /** The scaling fitted on {@code train} (at least 2 rows of equal length, finite). */
  static Standardization fit(double[][] train) {
    if (train.length < 2) {
      throw new IllegalArgumentException("standardization needs at least 2 rows, got " + train.length);
    }
    int d = train[0].length;
    double[] mean = new double[d];
    double[] scale = new double[d];
    double[] column = new double[train.length];
    for (int j = 0; j < d; j++) {
      for (int i = 0; i < train.length; i++) {
        column[i] = train[i][j];
      }
      mean[j] = StatUtils.mean(column);
      boolean constant = StatUtils.min(column) == StatUtils.max(column);
      scale[j] = constant ? 1 : Math.sqrt(StatUtils.variance(column, mean[j]));
    }
    return new Standardization(mean, scale);
  }

  /** Each of {@code rows} scaled by {@code standardization} (new arrays). */
  static double[][] apply(double[][] rows, Standardization standardization) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = standardization.apply(rows[i]);
    }
    return out;
  }
}
