package io.impflow.trainer.data;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.serde.AvroDecodeException;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

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
   * The feature fields of a record projected by {@link io.impflow.schemas.serde.FieldProjection} (positions 0 to
   * dimension-1) as a row, or null when one is not finite.
   *
   * @throws AvroDecodeException with MISSING_FEATURE for a null feature value
   */
  static double[] validated(GenericRecord projected, int dimension) {
    double[] row = new double[dimension];
    for (int j = 0; j < dimension; j++) {
      Object value = projected.get(j);
      if (value == null) {
        throw new AvroDecodeException(DeadLetterReason.MISSING_FEATURE, "feature field '"
            + projected.getSchema().getFields().get(j).name() + "' is null");
      }
      row[j] = ((Number) value).doubleValue();
      if (!Double.isFinite(row[j])) {
        return null;
      }
    }
    return row;
  }

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
