package io.impflow.schemas.serde;

/**
 * Turns records of one Avro type into bytes and back; the Kafka serdes and Flink schemas are thin adapters over
 * an implementation of this.
 *
 * @param <D> the record type (a generated SpecificRecord or a GenericRecord)
 */
public interface AvroCodec<D> {

  /**
   * The record's bytes in this codec's encoding.
   *
   * @throws IllegalArgumentException if the record does not fit its own schema (for example a null required field)
   */
  byte[] encode(D record);

  /**
   * The record the bytes encode.
   *
   * @throws AvroDecodeException if the bytes are not a record in this codec's encoding, naming the dead-letter reason
   */
  D decode(byte[] message);
}
