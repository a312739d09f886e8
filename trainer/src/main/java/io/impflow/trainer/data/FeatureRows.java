package io.impflow.trainer.data;

import java.util.List;

/**
 * The streaming job's validation of a decoded feature vector, for readers that must accept exactly the records the
 * job scores: as many values as the model has features, every one finite.
 */
final class FeatureRows {

  /** The vector has another number of values than the model has features. */
  static final class DimensionMismatch extends Exception {
    private static final long serialVersionUID = 1L;

    DimensionMismatch(int got, int expected) {
      super(got + " feature values, but the model has " + expected + " features");
    }
  }

  private FeatureRows() {}

  /**
   * The values as a row, or null when one is not finite.
   *
   * @throws DimensionMismatch when the count differs from {@code dimension}
   */
  static double[] validated(List<Double> values, int dimension) throws DimensionMismatch {
    if (values.size() != dimension) {
      throw new DimensionMismatch(values.size(), dimension);
    }
    double[] row = new double[dimension];
    for (int j = 0; j < dimension; j++) {
      row[j] = values.get(j);
      if (!Double.isFinite(row[j])) {
        return null;
      }
    }
    return row;
  }
}
