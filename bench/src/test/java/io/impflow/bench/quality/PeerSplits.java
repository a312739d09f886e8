package io.impflow.bench.quality;

import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/** Small hand-made splits for the peer detectors' tests. */
final class PeerSplits {

  /** Test rows of {@link #clusterAndFarOutliers}: this many inliers first, then the outliers. */
  static final int INLIERS = 60;
  static final int OUTLIERS = 10;

  private PeerSplits() {}

  /** A split of the given rows; the training part is unlabelled (all 0). */
  static SplitProtocol.Split of(double[][] train, double[][] test, int[] testLabels) {
    List<String> names = IntStream.range(0, train[0].length).mapToObj(j -> "x" + j).toList();
    return new SplitProtocol.Split(new Dataset(names, train, new int[train.length], "train"),
        new Dataset(names, test, testLabels, "test"));
  }

  /**
   * 400 training rows from a 3-d normal with standard deviations 1, 10 and 0.1 (so unscaled distances would be
   * ruled by the second feature); the test part holds {@value #INLIERS} rows from the same normal and then
   * {@value #OUTLIERS} rows 8 to 10 standard deviations from the centre in random directions, labelled 1.
   */
  static SplitProtocol.Split clusterAndFarOutliers(long seed) {
    Random random = new Random(seed);
    double[] sd = {1, 10, 0.1};
    double[][] train = new double[400][];
    for (int i = 0; i < train.length; i++) {
      train[i] = normal(random, sd);
    }
    double[][] test = new double[INLIERS + OUTLIERS][];
    int[] labels = new int[test.length];
    for (int i = 0; i < INLIERS; i++) {
      test[i] = normal(random, sd);
    }
    for (int i = INLIERS; i < test.length; i++) {
      double[] direction = normal(random, new double[] {1, 1, 1});
      double norm = Math.sqrt(direction[0] * direction[0] + direction[1] * direction[1] + direction[2] * direction[2]);
      double radius = 8 + 2 * random.nextDouble();
      for (int j = 0; j < 3; j++) {
        direction[j] *= radius / norm * sd[j];
      }
      test[i] = direction;
      labels[i] = 1;
    }
    return of(train, test, labels);
  }

  private static double[] normal(Random random, double[] sd) {
    double[] row = new double[sd.length];
    for (int j = 0; j < sd.length; j++) {
      row[j] = sd[j] * random.nextGaussian();
    }
    return row;
  }
}
