package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka serializer writing generated Avro records in single-object encoding; Kafka can instantiate it by class name
 * when {@value KafkaSerdeConfig#RECORD_CLASS} names the record class.
 *
 * @param <T> the generated record class
 */
public final class AvroSingleObjectSerializer<T extends SpecificRecord> extends CodecSerializer<T> {

  /** A serializer whose record class comes from {@value KafkaSerdeConfig#RECORD_CLASS} in the client config. */
  public AvroSingleObjectSerializer() {
    super(null, (recordClass, configs) -> SingleObjectCodec.forSpecific(recordClass, SchemaStore.empty()));
  }

  /** A serializer for the given record class. */
  public AvroSingleObjectSerializer(Class<T> recordClass) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> SingleObjectCodec.forSpecific(type, SchemaStore.empty()));
  }
}
