package io.impflow.job.decode;

/**
 * A decoded input record ready for scoring: its id, event time and feature values in the model's feature order,
 * plus the raw record it came from (for a dead letter if the solver fails on it).
 *
 * <p>A Flink POJO (public fields, no-argument constructor) so that Flink serializes it without Kryo.
 */
public class FeatureRecord {
  /** The record id. */
  public String id;
  /** The event time in epoch milliseconds. */
  public long timestamp;
  /** Feature values in the model's feature order. */
  public double[] features;
  /** The Kafka record it was decoded from. */
  public RawRecord raw;

  /** For Flink's POJO serializer. */
  public FeatureRecord() {}

  /** A decoded record. */
  public FeatureRecord(String id, long timestamp, double[] features, RawRecord raw) {
    this.id = id;
    this.timestamp = timestamp;
    this.features = features;
    this.raw = raw;
  }
}
