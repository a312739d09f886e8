package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Flink serialization schema writing generated Avro records in single-object encoding.
 *
 * @param <T> the generated record class
 */
public final class AvroSingleObjectSerializationSchema<T extends SpecificRecord> extends CodecSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  /** A schema for the given record class. */
  public AvroSingleObjectSerializationSchema(Class<T> recordClass) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> SingleObjectCodec.forSpecific(type, SchemaStore.empty()));
  }
}
