package io.impflow.bench.quality;

import io.impflow.model.robust.MinimumCovarianceDeterminant;
import io.impflow.model.robust.RobustGaussian;
import io.impflow.trainer.data.SplitProtocol;
import java.util.stream.IntStream;

/**
 * The robust-covariance peer: the reweighted Minimum Covariance Determinant ({@link MinimumCovarianceDeterminant},
 * seeded by the run's seed) of the training part on features scaled by {@link PeerStandardization}; score = the
 * squared robust Mahalanobis distance. Features constant in the training part are left out of the fit (MCD has no
 * covariance for them) and named in the note.
 */
public final class MinimumCovarianceDeterminantMethod implements DetectionMethod {

  @Override
  public String name() {
    return "MCD (robust cov.)";
  }

  @Override
  public long parameterCount(int dimension) {
    return GaussianDensity.parameterCount(dimension);
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      PeerStandardization.ScaledSplit scaled = PeerStandardization.ScaledSplit.of(s);
      double[][] train = scaled.train();
      int[] varying = IntStream.range(0, train[0].length).filter(j -> varies(train, j)).toArray();
      RobustGaussian fit = MinimumCovarianceDeterminant.fit(columns(train, varying), seed);
      double[][] test = columns(scaled.test(), varying);
      String note = varying.length < train[0].length
          ? (train[0].length - varying.length) + " constant feature(s) left out" : "";
      if (fit.ignoredColumnCount() > 0) {
        note += (note.isEmpty() ? "" : "; ") + "exact fit: " + fit.ignoredColumnCount() + " direction(s) ignored";
      }
      return new FitThenScore.Fitted(() -> fit.squaredDistancesOf(test), note);
    });
  }

  private static boolean varies(double[][] rows, int column) {
    for (double[] row : rows) {
      if (row[column] != rows[0][column]) {
        return true;
      }
    }
    return false;
  }

  private static double[][] columns(double[][] rows, int[] keep) {
    double[][] out = new double[rows.length][keep.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < keep.length; j++) {
        out[i][j] = rows[i][keep[j]];
      }
    }
    return out;
  }
}
