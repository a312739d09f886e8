package io.impflow.job.decode;

import io.impflow.schemas.avro.DeadLetterReason;
import java.io.Serializable;
import java.util.List;

/** Checks that a decoded feature row fits the model: the right number of values, every one finite. */
public final class FeatureRowValidator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> featureNames;

  /** A validator for rows of the given model feature names, in order. */
  public FeatureRowValidator(List<String> featureNames) {
    this.featureNames = List.copyOf(featureNames);
  }

  /**
   * Returns the record when its row fits the model.
   *
   * @throws RecordRejectedException with DIMENSION_MISMATCH or NON_FINITE_VALUE, naming the count or the feature
   */
  public FeatureRecord validate(FeatureRecord record) {
    double[] row = record.features;
    if (row.length != featureNames.size()) {
      throw new RecordRejectedException(DeadLetterReason.DIMENSION_MISMATCH, "record '" + record.id + "' has "
          + row.length + " feature values but the model expects " + featureNames.size() + " " + featureNames);
    }
    for (int j = 0; j < row.length; j++) {
      if (!Double.isFinite(row[j])) {
        throw new RecordRejectedException(DeadLetterReason.NON_FINITE_VALUE, "record '" + record.id
            + "' has feature '" + featureNames.get(j) + "' (index " + j + ") = " + row[j]
            + "; only finite values can be scored");
      }
    }
    return record;
  }
}
