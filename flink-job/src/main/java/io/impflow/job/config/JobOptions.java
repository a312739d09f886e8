package io.impflow.job.config;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The picocli declaration of {@code ./impflow job}'s flags. Values stay text here: {@link JobConfig} validates them
 * with messages that name the flag, whichever way they arrived (command line, environment, {@code --config} file).
 */
@Command(name = "impflow job", sortOptions = false, usageHelpWidth = 110,
    description = {
        "Score Avro records from Kafka by exact log-likelihood; write scores, alerts and dead letters exactly once.",
        "Every flag may also come from an environment variable IMPFLOW_JOB_<FLAG> (upper case, '-' as '_', e.g."
            + " IMPFLOW_JOB_BATCH_SIZE=512) or a line <flag>=<value> of the --config file (e.g. batch-size=512);"
            + " the command line wins over the environment, the environment over the file.",
        "After a failure the job restarts from its last checkpoint with exponential delay (1 s doubling to 10 s, no"
            + " limit on attempts); to rescale, stop it with a savepoint and restart with --from-savepoint and another"
            + " --parallelism."},
    footer = {"", "Example: ./impflow job --model models/shuttle --bootstrap-servers localhost:9092"})
final class JobOptions {

  @Option(names = "--model", paramLabel = "DIR", description = "Model artifact directory (required).")
  String model;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = "events",
      description = "Topic of input records (default: ${DEFAULT-VALUE}).")
  String inputTopic;

  @Option(names = "--scores-topic", paramLabel = "TOPIC", defaultValue = "scores",
      description = "Topic for a ScoredEvent per scored record (default: ${DEFAULT-VALUE}).")
  String scoresTopic;

  @Option(names = "--alerts-topic", paramLabel = "TOPIC", defaultValue = "alerts",
      description = "Topic for an Alert per anomaly (default: ${DEFAULT-VALUE}).")
  String alertsTopic;

  @Option(names = "--dead-letters-topic", paramLabel = "TOPIC", defaultValue = "dead-letters",
      description = "Topic for a DeadLetter per record that cannot be scored (default: ${DEFAULT-VALUE}).")
  String deadLettersTopic;

  @Option(names = "--model-updates-topic", paramLabel = "TOPIC",
      description = "Topic of ModelUpdate announcements for hot swap (default: none, the model is fixed).")
  String modelUpdatesTopic;

  @Option(names = "--model-root", paramLabel = "URI",
      description = "Where announced models may be loaded from, repeatable (file://, s3://, hdfs:// with the Flink"
          + " plugin); an update outside every root is refused (default: the parent directory of --model).")
  List<String> modelRoots;

  @Option(names = "--group-id", paramLabel = "ID", defaultValue = "impflow-scoring",
      description = "Kafka consumer group of the input source (default: ${DEFAULT-VALUE}).")
  String groupId;

  @Option(names = "--starting-offsets", paramLabel = "committed|earliest|latest", defaultValue = "committed",
      description = "Where to start without a checkpoint; committed falls back to earliest"
          + " (default: ${DEFAULT-VALUE}).")
  String startingOffsets;

  @Option(names = "--bounded",
      description = "Stop at the end offsets seen at start-up, then finish (replay a topic).")
  boolean bounded;

  @Option(names = "--input-encoding", paramLabel = "single-object|binary|confluent", defaultValue = "single-object",
      description = "Avro framing of input records; binary: bare body written with the input schema; confluent:"
          + " schema-registry framed (0x00 + 4-byte schema id + body), writer schemas from --schema-registry-url,"
          + " features read by field name (default: ${DEFAULT-VALUE}).")
  String inputEncoding;

  @Option(names = "--output-encoding", paramLabel = "single-object|confluent", defaultValue = "single-object",
      description = "Avro framing of scores, alerts, dead letters and model health; confluent: schema-registry"
          + " framed, schemas registered under <topic>-value at --schema-registry-url (default: ${DEFAULT-VALUE}).")
  String outputEncoding;

  @Option(names = "--schema-registry-url", paramLabel = "URL[,URL...]",
      description = "Schema registry (Confluent API; Apicurio: .../apis/ccompat/v7) for the confluent encodings,"
          + " URLs tried in order; credentials and TLS in --kafka-properties-file (basic.auth.user.info,"
          + " bearer.auth.token, schema.registry.ssl.*).")
  String schemaRegistryUrl;

  @Option(names = "--schema-registry-max-wait", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long a task retries an unreachable registry (backoff 100ms doubling to 5s) before it fails"
          + " and the job restarts from its checkpoint; no record is dead-lettered for it (default: ${DEFAULT-VALUE}).")
  String schemaRegistryMaxWait;

  @Option(names = "--input-schema", paramLabel = "FILE.avsc",
      description = "The user's own record schema; numeric fields are matched to the model's feature names.")
  String inputSchema;

  @Option(names = "--feature-fields", paramLabel = "a,b,c",
      description = "Input-schema fields to read as features, in the model's feature order (default: the model's"
          + " names).")
  String featureFields;

  @Option(names = "--id-field", paramLabel = "FIELD",
      description = "Input-schema field holding the record id (default: 'id' if present, else"
          + " topic-partition@offset).")
  String idField;

  @Option(names = "--timestamp-field", paramLabel = "FIELD",
      description = "Input-schema field holding the event time in epoch ms (default: 'timestamp' if present, else"
          + " the Kafka record time).")
  String timestampField;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
      description = "Micro-batch size: records scored in one model call (default: ${DEFAULT-VALUE}).")
  String batchSize;

  @Option(names = "--batch-timeout", paramLabel = "DURATION", defaultValue = "10ms",
      description = "Longest a record waits for its micro-batch to fill (default: ${DEFAULT-VALUE}).")
  String batchTimeout;

  @Option(names = "--threshold", paramLabel = "LOG_LIKELIHOOD",
      description = "Anomaly threshold on log p(x) (default: the artifact's calibrated threshold).")
  String threshold;

  @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "10s",
      description = "Checkpoint interval; sink transactions commit on checkpoints (default: ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = "impflow-scoring",
      description = "Prefix of the Kafka transactional ids of the exactly-once sinks (default: ${DEFAULT-VALUE}).")
  String transactionalIdPrefix;

  @Option(names = "--transaction-timeout", paramLabel = "DURATION", defaultValue = "10min",
      description = "Kafka transaction.timeout.ms of the sinks, at most 15min (default: ${DEFAULT-VALUE}).")
  String transactionTimeout;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Kafka client property for source and sinks, repeatable (e.g."
          + " security.protocol=SASL_SSL).")
  List<String> kafkaProperties;

  @Option(names = "--kafka-properties-file", paramLabel = "FILE.properties",
      description = "Kafka client properties for source and sinks from a file (keep secrets such as"
          + " sasl.jaas.config here or in IMPFLOW_JOB_* variables, not on the command line); --kafka-property wins"
          + " over the file.")
  String kafkaPropertiesFile;

  @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
      description = "Parallelism of the job, one model per scoring subtask (default: ${DEFAULT-VALUE}).")
  String parallelism;

  @Option(names = "--from-savepoint", paramLabel = "PATH",
      description = "Restore from this savepoint or retained checkpoint (offsets, open transactions, the model in"
          + " use), also at another --parallelism (default: none, start from --starting-offsets).")
  String fromSavepoint;

  @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
      description = "Port of the embedded MiniCluster's REST endpoint and web UI (default: ${DEFAULT-VALUE}).")
  String webPort;

  // Model health and scrapeable metrics; the values are checked by JobConfig and HealthSettings.
  @Option(names = "--model-health-topic", paramLabel = "TOPIC", defaultValue = "model-health",
      description = "Topic for a ModelHealth record per model version and health window (default: ${DEFAULT-VALUE}).")
  String modelHealthTopic;

  @Option(names = "--health-window", paramLabel = "DURATION", defaultValue = "1min",
      description = "Processing-time window of the model-health records (default: ${DEFAULT-VALUE}).")
  String healthWindow;

  @Option(names = "--drift-threshold", paramLabel = "DISTANCE", defaultValue = "0.1",
      description = "Kolmogorov-Smirnov distance of a window's p-values from Uniform(0,1) above which the window is"
          + " flagged as drift (default: ${DEFAULT-VALUE}).")
  String driftThreshold;

  @Option(names = "--drift-min-records", paramLabel = "N", defaultValue = "500",
      description = "Fewest p-values a window needs before it can be flagged (default: ${DEFAULT-VALUE}).")
  String driftMinRecords;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve every job metric to Prometheus at http://HOST:PORT/metrics (embedded MiniCluster;"
          + " default: none).")
  String metricsPort;

  @Option(names = "--config", paramLabel = "FILE.properties",
      description = "Java properties file of flag values, one <flag>=<value> per line without the leading --.")
  String configFile;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
  boolean help;
}
