package io.impflow.trainer.data;

import io.impflow.schemas.kafka.KafkaClientProperties;
import io.impflow.schemas.registry.RegistrySettings;
import java.util.List;
import java.util.Map;

/**
 * How to read a data source: the label column, optional feature names, the size and seed of toy data, and where
 * a Kafka window starts.
 *
 * @param labelColumn name of the 0/1 label column (CSV column, Avro field, or FeatureVector attribute)
 * @param labelColumnRequired whether a missing label column is an error (the user named it explicitly)
 * @param featureNames names of the feature columns to use, or an empty list for "all numeric columns but the label"
 * @param toyRows number of rows to draw for {@code toy:} sources
 * @param toySeed seed for {@code toy:} sources
 * @param kafkaFromTimestampMs first record timestamp of a Kafka window (epoch ms), or {@code null} for the start
 * @param kafkaPollTimeoutMs how long a Kafka window read may wait without progress before failing
 * @param kafkaProperties extra Kafka client properties of a Kafka window (e.g. SASL_SSL settings), secrets included
 * @param registry the schema registry of a Kafka window of schema-registry framed records, or {@code null} when it
 *     holds single-object encoded ones
 */
public record DataReadOptions(
    String labelColumn,
    boolean labelColumnRequired,
    List<String> featureNames,
    int toyRows,
    long toySeed,
    Long kafkaFromTimestampMs,
    long kafkaPollTimeoutMs,
    Map<String, String> kafkaProperties,
    RegistrySettings registry) {

  /** The default label column name of the CSV contract. */
  public static final String DEFAULT_LABEL_COLUMN = "y";

  /** Validates. */
  public DataReadOptions {
    featureNames = List.copyOf(featureNames);
    kafkaProperties = Map.copyOf(kafkaProperties);
    if (toyRows < 1) {
      throw new IllegalArgumentException("--rows must be >= 1, got " + toyRows);
    }
  }

  /** Options for a Kafka window of single-object encoded records. */
  public DataReadOptions(String labelColumn, boolean labelColumnRequired, List<String> featureNames, int toyRows,
      long toySeed, Long kafkaFromTimestampMs, long kafkaPollTimeoutMs, Map<String, String> kafkaProperties) {
    this(labelColumn, labelColumnRequired, featureNames, toyRows, toySeed, kafkaFromTimestampMs, kafkaPollTimeoutMs,
        kafkaProperties, null);
  }

  /** Options without extra Kafka client properties. */
  public DataReadOptions(String labelColumn, boolean labelColumnRequired, List<String> featureNames, int toyRows,
      long toySeed, Long kafkaFromTimestampMs, long kafkaPollTimeoutMs) {
    this(labelColumn, labelColumnRequired, featureNames, toyRows, toySeed, kafkaFromTimestampMs, kafkaPollTimeoutMs,
        Map.of());
  }

  /** Defaults: label column {@code y} (optional), all numeric features, 10,000 toy rows, seed 0. */
  public static DataReadOptions defaults() {
    return new DataReadOptions(DEFAULT_LABEL_COLUMN, false, List.of(), 10_000, 0L, null, 30_000L);
  }

  /** The record's text with secret Kafka client properties redacted. */
  @Override
  public String toString() {
    return "DataReadOptions[labelColumn=" + labelColumn + ", labelColumnRequired=" + labelColumnRequired
        + ", featureNames=" + featureNames + ", toyRows=" + toyRows + ", toySeed=" + toySeed
        + ", kafkaFromTimestampMs=" + kafkaFromTimestampMs + ", kafkaPollTimeoutMs=" + kafkaPollTimeoutMs
        + ", kafkaProperties=" + KafkaClientProperties.redacted(kafkaProperties) + ", registry=" + registry + "]";
  }
}
