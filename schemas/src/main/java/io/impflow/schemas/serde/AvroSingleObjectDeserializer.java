package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka deserializer reading generated Avro records from single-object encoding, resolving older writer schemas
 * found in its {@link SchemaStore}; Kafka can instantiate it by class name when
 * {@value KafkaSerdeConfig#RECORD_CLASS} names the record class.
 *
 * @param <T> the generated record class
 */
public final class AvroSingleObjectDeserializer<T extends SpecificRecord> extends CodecDeserializer<T> {

  /**
   * A deserializer whose record class comes from {@value KafkaSerdeConfig#RECORD_CLASS}, knowing the schemas
   * generated in this module.
   */
  public AvroSingleObjectDeserializer() {
    super(null, (recordClass, configs) -> SingleObjectCodec.forSpecific(recordClass,
        SchemaStore.withGeneratedSchemas()));
  }

  /** A deserializer for the given record class, knowing the schemas generated in this module. */
  public AvroSingleObjectDeserializer(Class<T> recordClass) {
    this(recordClass, SchemaStore.withGeneratedSchemas());
  }

  /** A deserializer for the given record class that finds writer schemas in the given store. */
  public AvroSingleObjectDeserializer(Class<T> recordClass, SchemaStore store) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> SingleObjectCodec.forSpecific(type, store));
  }
}
