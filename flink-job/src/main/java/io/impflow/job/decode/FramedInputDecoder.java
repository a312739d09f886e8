package io.impflow.job.decode;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.FieldProjection;
import io.impflow.schemas.serde.RegistryDecoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Decodes schema-registry framed input: a writer schema that is the project's {@code FeatureVector} (any compatible
 * version) is read as FeatureVector, features in the model's order; any other writer schema is projected onto the
 * model's feature fields by name ({@link FieldProjection}).
 */
final class FramedInputDecoder implements RecordDecoder {
  private static final String FEATURE_VECTOR = FeatureVector.getClassSchema().getFullName();

  private final RegistryDecoder<GenericRecord> registry;
  private final NamedFieldDecoder fields;

  FramedInputDecoder(RegistryDecoder<GenericRecord> registry, FieldProjection projection) {
    this.registry = registry;
    this.fields = new NamedFieldDecoder(projection);
  }

  /** The reader schema for a writer schema: FeatureVector's own, or the projection onto the feature fields. */
  static Schema readerFor(Schema writer, FieldProjection projection) {
    return writer.getFullName().equals(FEATURE_VECTOR) ? FeatureVector.getClassSchema() : projection.apply(writer);
  }

  @Override
  public FeatureRecord decode(RawRecord raw) {
    GenericRecord record = registry.decode(raw.value);
    if (record instanceof FeatureVector) {
      return FeatureVectorDecoder.featureRecord((FeatureVector) record, raw);
    }
    return fields.fromRecord(record, raw);
  }
}
