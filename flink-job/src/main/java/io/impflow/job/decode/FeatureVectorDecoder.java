package io.impflow.job.decode;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroCodec;
import java.util.List;

/** Decodes the project's own {@code FeatureVector} records, whose features are already in the model's order. */
public final class FeatureVectorDecoder implements RecordDecoder {
  private final AvroCodec<FeatureVector> codec;

  /** A decoder reading values with the given codec (single-object or plain binary). */
  public FeatureVectorDecoder(AvroCodec<FeatureVector> codec) {
    this.codec = codec;
  }

  @Override
  public FeatureRecord decode(RawRecord raw) {
    return featureRecord(codec.decode(raw.value), raw);
  }

  /** The feature record of a decoded vector read from {@code raw}. */
  static FeatureRecord featureRecord(FeatureVector vector, RawRecord raw) {
    List<Double> values = vector.getFeatures();
    double[] row = new double[values.size()];
    for (int j = 0; j < row.length; j++) {
      row[j] = values.get(j);
    }
    return new FeatureRecord(vector.getId(), vector.getTimestamp().toEpochMilli(), row, raw);
  }
}
