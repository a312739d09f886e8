package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka deserializer reading generated Avro records from plain binary written with one fixed writer schema (the
 * record's own unless {@value KafkaSerdeConfig#WRITER_SCHEMA} or the constructor gives another).
 *
 * @param <T> the generated record class
 */
public final class AvroBinaryDeserializer<T extends SpecificRecord> extends CodecDeserializer<T> {

  /** A deserializer configured entirely from the client config. */
  public AvroBinaryDeserializer() {
    super(null, (recordClass, configs) -> KafkaSerdeConfig.writerSchema(configs)
        .map(writer -> PlainBinaryCodec.forSpecific(recordClass, writer))
        .orElseGet(() -> PlainBinaryCodec.forSpecific(recordClass)));
  }

  /** A deserializer for bytes written with the record class's own schema. */
  public AvroBinaryDeserializer(Class<T> recordClass) {
    super(Objects.requireNonNull(recordClass, "recordClass"), (type, configs) -> PlainBinaryCodec.forSpecific(type));
  }

  /** A deserializer for bytes written with another compatible schema (for example an older version). */
  public AvroBinaryDeserializer(Class<T> recordClass, Schema writerSchema) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> PlainBinaryCodec.forSpecific(type, writerSchema));
  }
}
