package io.impflow.trainer.cli;

import io.impflow.schemas.kafka.KafkaClientProperties;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSource;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --data} option and everything that says how to read it; shared by every command that reads data. */
final class DataOptions {

  private static final Logger LOG = LoggerFactory.getLogger(DataOptions.class);

  @Option(names = "--data", required = true, paramLabel = "SRC", description = {
      "Input rows. One of:",
      "  FILE.csv   header row of feature names, then numeric rows;",
      "  FILE.avro  Avro container file of FeatureVector records (features x0..x(d-1) unless --feature-names)"
          + " or of any record whose int/long/float/double fields are the features;",
      "  kafka://HOST:PORT[,HOST:PORT]/TOPIC  single-object-encoded FeatureVector records (or schema-registry"
          + " framed ones, --input-encoding confluent), every partition from the start (or --kafka-from-timestamp)"
          + " to the end offsets seen when reading starts (read_committed);",
      "  toy:NAME   2D toy data: checkerboard, 8gaussians, 2spirals, rings, moons, pinwheel (--rows, --seed)."})
  String data;

  @Option(names = "--label-column", paramLabel = "NAME", description = {
      "0/1 label column (1 = anomaly; CSV column, Avro field or FeatureVector attribute). Training ignores it,"
          + " evaluation uses it. Default: 'y' when present; when given explicitly it must exist."})
  String labelColumn;

  @Option(names = "--feature-names", split = ",", paramLabel = "NAMES", description = {
      "Comma-separated feature columns to use (default: every numeric column except the label); for"
          + " FeatureVector input, the names of the vector's positions."})
  List<String> featureNames = List.of();

  @Option(names = "--rows", defaultValue = "10000", paramLabel = "N",
      description = "Rows to draw for toy: data (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--kafka-from-timestamp", paramLabel = "TIME", description = {
      "Start a kafka:// window at the first record at or after TIME (ISO-8601 instant or epoch milliseconds);"
          + " default: each partition's start."})
  String kafkaFromTimestamp;

  @Option(names = "--kafka-properties-file", paramLabel = "FILE", defaultValue = "${env:IMPFLOW_KAFKA_PROPERTIES_FILE}",
      description = {"Kafka client properties of a kafka:// source (e.g. security.protocol=SASL_SSL and its"
          + " sasl.jaas.config); default: the file named by the environment variable IMPFLOW_KAFKA_PROPERTIES_FILE."})
  Path kafkaPropertiesFile;

  @Mixin KafkaFramingOptions framing;

  @Option(names = "--split", paramLabel = "PROTOCOL", description = {
      "Use one part of an evaluation split of labelled data: 'clean' (train = 70 %% of the normal rows; test ="
          + " the other normal rows + every anomaly) or 'contaminated' (stratified 70/30 of all rows)."})
  SplitProtocol split;

  @Option(names = "--split-part", paramLabel = "PART", description = {
      "Which part of --split to use: train or test (default: train for 'train', test otherwise)."})
  SplitProtocol.Part splitPart;

  @Option(names = "--split-seed", defaultValue = "1", paramLabel = "S",
      description = "Seed of --split (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  /** Reads the data: toy data with {@code toySeed}; columns restricted to {@code requiredFeatures} when given. */
  Dataset load(long toySeed, List<String> requiredFeatures, SplitProtocol.Part defaultPart)
      throws DataSourceException {
    if (splitPart != null && split == null) {
      throw new DataSourceException("--split-part needs --split clean|contaminated");
    }
    List<String> names = requiredFeatures != null ? requiredFeatures : featureNames;
    Map<String, String> kafkaProperties = kafkaProperties();
    RegistrySettings registry;
    try {
      registry = framing.registry(kafkaProperties);
    } catch (IllegalArgumentException e) {
      throw new DataSourceException(e.getMessage(), e);
    }
    DataReadOptions options = new DataReadOptions(
        labelColumn == null ? DataReadOptions.DEFAULT_LABEL_COLUMN : labelColumn, labelColumn != null,
        names, rows, toySeed, kafkaStart(), 30_000L, kafkaProperties, registry);
    Dataset dataset = DataSource.parse(data, options).read();
    if (split != null) {
      SplitProtocol.Part part = splitPart == null ? defaultPart : splitPart;
      dataset = split.split(dataset, splitSeed).part(part);
    }
    LOG.info("read {} rows x {} features{} from {}", dataset.size(), dataset.dimension(),
        dataset.hasLabels() ? " (" + dataset.anomalyCount() + " labelled anomalous)" : "", dataset.origin());
    return dataset;
  }

  private Map<String, String> kafkaProperties() throws DataSourceException {
    if (kafkaPropertiesFile == null) {
      return Map.of();
    }
    try {
      return KafkaClientProperties.load("--kafka-properties-file", kafkaPropertiesFile);
    } catch (IllegalArgumentException e) {
      throw new DataSourceException(e.getMessage(), e);
    }
  }

  private Long kafkaStart() throws DataSourceException {
    if (kafkaFromTimestamp == null) {
      return null;
    }
    try {
      return Long.parseLong(kafkaFromTimestamp);
    } catch (NumberFormatException notMillis) {
      try {
        return Instant.parse(kafkaFromTimestamp).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new DataSourceException("--kafka-from-timestamp '" + kafkaFromTimestamp + "' is neither epoch"
            + " milliseconds nor an ISO-8601 instant like 2026-01-31T12:00:00Z");
      }
    }
  }
}
