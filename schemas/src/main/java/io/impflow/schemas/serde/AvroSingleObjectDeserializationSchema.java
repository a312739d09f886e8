package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Flink deserialization schema reading generated Avro records from single-object encoding, resolving older writer
 * schemas found in its {@link SchemaStore}.
 *
 * @param <T> the generated record class
 */
public final class AvroSingleObjectDeserializationSchema<T extends SpecificRecord>
    extends CodecDeserializationSchema<T> {
  private static final long serialVersionUID = 1L;

  /** A schema for the given record class, knowing the schemas generated in this module. */
  public AvroSingleObjectDeserializationSchema(Class<T> recordClass) {
    this(recordClass, SchemaStore.withGeneratedSchemas());
  }

  /** A schema for the given record class that finds writer schemas in the given store (shipped with the job). */
  public AvroSingleObjectDeserializationSchema(Class<T> recordClass, SchemaStore store) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> SingleObjectCodec.forSpecific(type, store));
  }
}
