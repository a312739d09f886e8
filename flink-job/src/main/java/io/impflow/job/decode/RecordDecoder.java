package io.impflow.job.decode;

/** Turns the value bytes of one raw Kafka record into a feature record in the model's feature order. */
public interface RecordDecoder {

  /**
   * The decoded record.
   *
   * @throws io.impflow.schemas.serde.AvroDecodeException if the bytes are not a record of the expected schema
   * @throws RecordRejectedException if the record lacks a feature value
   */
  FeatureRecord decode(RawRecord raw);
}
