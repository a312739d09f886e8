package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Flink deserialization schema reading generated Avro records from plain binary written with one fixed writer
 * schema.
 *
 * @param <T> the generated record class
 */
public final class AvroBinaryDeserializationSchema<T extends SpecificRecord> extends CodecDeserializationSchema<T> {
  private static final long serialVersionUID = 1L;

  /** A schema for bytes written with the record class's own schema. */
  public AvroBinaryDeserializationSchema(Class<T> recordClass) {
    super(Objects.requireNonNull(recordClass, "recordClass"), (type, configs) -> PlainBinaryCodec.forSpecific(type));
  }

  /** A schema for bytes written with another compatible schema (for example an older version). */
  public AvroBinaryDeserializationSchema(Class<T> recordClass, Schema writerSchema) {
    super(Objects.requireNonNull(recordClass, "recordClass"),
        (type, configs) -> PlainBinaryCodec.forSpecific(type, writerSchema));
  }
}
