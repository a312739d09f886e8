package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka serializer writing generated Avro records as plain binary with no header; Kafka can instantiate it by class
 * name when {@value KafkaSerdeConfig#RECORD_CLASS} names the record class.
 *
 * @param <T> the generated record class
 */
public final class AvroBinarySerializer<T extends SpecificRecord> extends CodecSerializer<T> {

  /** A serializer whose record class comes from {@value KafkaSerdeConfig#RECORD_CLASS} in the client config. */
  public AvroBinarySerializer() {
    super(null, (recordClass, configs) -> PlainBinaryCodec.forSpecific(recordClass));
  }

  /** A serializer for the given record class. */
  public AvroBinarySerializer(Class<T> recordClass) {
    super(Objects.requireNonNull(recordClass, "recordClass"), (type, configs) -> PlainBinaryCodec.forSpecific(type));
  }
}
