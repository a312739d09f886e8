package io.impflow.job.config;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streaming job's configuration, parsed from {@code --flag value} arguments and validated at start-up so that a
 * bad value fails before anything runs, with a message naming the flag.
 */
public final class JobConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The broker's default {@code transaction.max.timeout.ms}; a producer asking for more is refused. */
  public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|h)?");

  /** Every flag with its value placeholder, default and help text, in the order {@code --help} prints them. */
  private static final List<Flag> FLAGS = List.of(
      new Flag("model", "DIR", null, "model artifact directory (required)"),
      new Flag("bootstrap-servers", "HOST:PORT,...", "localhost:9092", "Kafka bootstrap servers"),
      new Flag("input-topic", "TOPIC", "events", "topic of input records"),
      new Flag("scores-topic", "TOPIC", "scores", "topic for a ScoredEvent per scored record"),
      new Flag("alerts-topic", "TOPIC", "alerts", "topic for an Alert per anomaly"),
      new Flag("dead-letters-topic", "TOPIC", "dead-letters", "topic for a DeadLetter per record that cannot be scored"),
      new Flag("model-updates-topic", "TOPIC", null,
          "topic of ModelUpdate announcements for hot swap (default: none, the model is fixed)"),
      new Flag("group-id", "ID", "impflow-scoring", "Kafka consumer group of the input source"),
      new Flag("starting-offsets", "committed|earliest|latest", "committed",
          "where to start without a checkpoint (committed falls back to earliest)"),
      new Flag("bounded", null, null, "stop at the end offsets seen at start-up, then finish (replay a topic)"),
      new Flag("input-encoding", "single-object|binary", "single-object",
          "Avro framing of input records (binary: bare body written with the input schema)"),
      new Flag("input-schema", "FILE.avsc", null,
          "the user's own record schema; numeric fields are matched to the model's feature names"),
      new Flag("feature-fields", "a,b,c", null,
          "input-schema fields to read as features, in the model's feature order (default: the model's names)"),
      new Flag("id-field", "FIELD", null, "input-schema field holding the record id (default: 'id' if present,"
          + " else topic-partition@offset)"),
      new Flag("timestamp-field", "FIELD", null, "input-schema field holding the event time in epoch ms (default:"
          + " 'timestamp' if present, else the Kafka record time)"),
      new Flag("batch-size", "N", "256", "micro-batch size: records scored in one model call"),
      new Flag("batch-timeout", "DURATION", "10ms", "longest a record waits for its micro-batch to fill"),
      new Flag("threshold", "LOG_LIKELIHOOD", null,
          "anomaly threshold on log p(x) (default: the artifact's calibrated threshold)"),
      new Flag("checkpoint-interval", "DURATION", "10s", "checkpoint interval; sink transactions commit on checkpoints"),
      new Flag("transactional-id-prefix", "PREFIX", "impflow-scoring",
          "prefix of the Kafka transactional ids of the exactly-once sinks"),
      new Flag("transaction-timeout", "DURATION", "10min", "Kafka transaction.timeout.ms of the sinks (at most 15min)"),
      new Flag("kafka-property", "KEY=VALUE", null,
          "Kafka client property for source and sinks, repeatable (e.g. security.protocol=SASL_SSL)"),
      new Flag("parallelism", "N", "1", "parallelism of the job (one model per scoring subtask)"),
      new Flag("from-savepoint", "PATH", null, "restore from this savepoint or retained checkpoint (offsets,"
          + " open transactions, the model in use), also at another --parallelism"),
      new Flag("web-port", "PORT", "8081", "port of the embedded MiniCluster's REST endpoint and web UI"),
      new Flag("help", null, null, "print this help and exit"));

  private final Path modelPath;
  private final String bootstrapServers;
  private final String inputTopic;
  private final String scoresTopic;
  private final String alertsTopic;
  private final String deadLettersTopic;
  private final String modelUpdatesTopic;
  private final String groupId;
  private final StartingOffsets startingOffsets;
  private final boolean bounded;
  private final InputEncoding inputEncoding;
  private final String inputSchemaJson;
  private final String inputSchemaFile;
  private final List<String> featureFields;
  private final String idField;
  private final String timestampField;
  private final int batchSize;
  private final long batchTimeoutMillis;
  private final Double threshold;
  private final long checkpointIntervalMillis;
  private final String transactionalIdPrefix;
  private final long transactionTimeoutMillis;
  private final Map<String, String> kafkaProperties;
  private final int parallelism;
  private final String fromSavepoint;
  private final int webPort;
  private final boolean help;

  private JobConfig(Map<String, List<String>> values) {
    help = values.containsKey("help");
    String model = single(values, "model");
    if (model == null && !help) {
      throw new JobConfigException("--model is required: the model artifact directory written by the trainer");
    }
    modelPath = model == null ? null : Path.of(model);
    if (modelPath != null && !Files.isDirectory(modelPath)) {
      throw new JobConfigException("--model must be an artifact directory, but " + modelPath.toAbsolutePath()
          + " is not a directory");
    }
    bootstrapServers = text(values, "bootstrap-servers");
    inputTopic = text(values, "input-topic");
    scoresTopic = text(values, "scores-topic");
    alertsTopic = text(values, "alerts-topic");
    deadLettersTopic = text(values, "dead-letters-topic");
    modelUpdatesTopic = single(values, "model-updates-topic");
    groupId = text(values, "group-id");
    startingOffsets = StartingOffsets.fromFlag(text(values, "starting-offsets"));
    bounded = values.containsKey("bounded");
    inputEncoding = InputEncoding.fromFlag(text(values, "input-encoding"));
    inputSchemaFile = single(values, "input-schema");
    inputSchemaJson = inputSchemaFile == null ? null : readSchemaFile(inputSchemaFile);
    String fields = single(values, "feature-fields");
    if (fields != null && inputSchemaFile == null) {
      throw new JobConfigException("--feature-fields needs --input-schema: FeatureVector input already lists its"
          + " features in the model's order");
    }
    featureFields = fields == null ? List.of() : parseFieldList(fields);
    idField = single(values, "id-field");
    timestampField = single(values, "timestamp-field");
    if ((idField != null || timestampField != null) && inputSchemaFile == null) {
      throw new JobConfigException("--id-field and --timestamp-field need --input-schema: FeatureVector input has"
          + " fixed id and timestamp fields");
    }
    batchSize = atLeast(values, "batch-size", 1);
    batchTimeoutMillis = duration(values, "batch-timeout").toMillis();
    if (batchTimeoutMillis < 1) {
      throw new JobConfigException("--batch-timeout must be ≥ 1ms, got " + single(values, "batch-timeout"));
    }
    String thresholdText = single(values, "threshold");
    threshold = thresholdText == null ? null : finiteDouble("threshold", thresholdText);
    checkpointIntervalMillis = duration(values, "checkpoint-interval").toMillis();
    if (checkpointIntervalMillis < 10) {
      throw new JobConfigException("--checkpoint-interval must be ≥ 10ms, got "
          + single(values, "checkpoint-interval") + " (sink transactions commit only on checkpoints)");
    }
    transactionalIdPrefix = text(values, "transactional-id-prefix");
    Duration transactionTimeout = duration(values, "transaction-timeout");
    if (transactionTimeout.compareTo(MAX_TRANSACTION_TIMEOUT) > 0 || transactionTimeout.isZero()) {
      throw new JobConfigException("--transaction-timeout must be between 1ms and 15min (the broker's default"
          + " transaction.max.timeout.ms), got " + single(values, "transaction-timeout"));
    }
    transactionTimeoutMillis = transactionTimeout.toMillis();
    if (transactionTimeoutMillis <= checkpointIntervalMillis) {
      throw new JobConfigException("--transaction-timeout (" + transactionTimeoutMillis + " ms) must be longer than"
          + " --checkpoint-interval (" + checkpointIntervalMillis + " ms), or transactions expire before they commit");
    }
    kafkaProperties = parseKafkaProperties(values.getOrDefault("kafka-property", List.of()));
    parallelism = atLeast(values, "parallelism", 1);
    fromSavepoint = savepointPath(single(values, "from-savepoint"));
    webPort = atLeast(values, "web-port", 1);
    if (webPort > 65535) {
      throw new JobConfigException("--web-port must be ≤ 65535, got " + webPort);
    }
  }

  /**
   * Parses and validates {@code --flag value} arguments.
   *
   * @throws JobConfigException naming the first flag that is unknown, missing its value, or invalid
   */
  public static JobConfig parse(String... args) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new JobConfigException("unexpected argument '" + arg + "': every option is a --flag (see --help)");
      }
      String name = arg.substring(2);
      String inlineValue = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inlineValue = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Flag flag = flag(name);
      String value;
      if (flag.placeholder == null) {
        value = "true";
      } else if (inlineValue != null) {
        value = inlineValue;
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new JobConfigException("--" + name + " needs a value: --" + name + " " + flag.placeholder);
      }
      List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
      if (!list.isEmpty() && !name.equals("kafka-property")) {
        throw new JobConfigException("--" + name + " given twice ('" + list.get(0) + "' and '" + value + "')");
      }
      list.add(value);
    }
    return new JobConfig(values);
  }

  /** The {@code --help} text: every flag with its default. */
  public static String usage() {
    StringBuilder text = new StringBuilder(
        "Usage: AnomalyDetectionJob --model DIR [options]\n"
            + "Scores Avro records from Kafka by exact log-likelihood; writes scores, alerts and dead letters"
            + " exactly once.\nAfter a failure it restarts from its last checkpoint with exponential delay (1 s"
            + " doubling to 10 s, no limit on attempts); to rescale, stop it with a savepoint and restart with"
            + " --from-savepoint and another --parallelism.\n\nOptions:\n");
    for (Flag flag : FLAGS) {
      String left = "  --" + flag.name + (flag.placeholder == null ? "" : " " + flag.placeholder);
      text.append(String.format("%-44s %s", left, flag.help));
      if (flag.defaultValue != null) {
        text.append(" [default: ").append(flag.defaultValue).append(']');
      }
      text.append('\n');
    }
    return text.toString();
  }

  private static Flag flag(String name) {
    for (Flag flag : FLAGS) {
      if (flag.name.equals(name)) {
        return flag;
      }
    }
    throw new JobConfigException("unknown option --" + name + " (see --help for the list)");
  }

  private static String single(Map<String, List<String>> values, String name) {
    List<String> list = values.get(name);
    return list == null ? null : list.get(0);
  }

  private static String text(Map<String, List<String>> values, String name) {
    String value = single(values, name);
    if (value == null) {
      value = flag(name).defaultValue;
    }
    if (value.isBlank()) {
      throw new JobConfigException("--" + name + " must not be empty");
    }
    return value.trim();
  }

  private static int atLeast(Map<String, List<String>> values, String name, int minimum) {
    String value = text(values, name);
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new JobConfigException("--" + name + " must be an integer, got '" + value + "'");
    }
    if (parsed < minimum) {
      throw new JobConfigException("--" + name + " must be ≥ " + minimum + ", got " + parsed);
    }
    return parsed;
  }

  private static Duration duration(Map<String, List<String>> values, String name) {
    String value = text(values, name);
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new JobConfigException("--" + name + " must be a duration such as 10ms, 2s, 5min or 1h (a bare number"
          + " is milliseconds), got '" + value + "'");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new JobConfigException("--" + name + " is too large: '" + value + "'");
    }
    String unit = m.group(2) == null ? "ms" : m.group(2);
    switch (unit) {
      case "s":
        return Duration.ofSeconds(amount);
      case "min":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return Duration.ofMillis(amount);
    }
  }

  private static double finiteDouble(String name, String value) {
    double parsed;
    try {
      parsed = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new JobConfigException("--" + name + " must be a number, got '" + value + "'");
    }
    if (!Double.isFinite(parsed)) {
      throw new JobConfigException("--" + name + " must be finite, got " + value);
    }
    return parsed;
  }

  private static String readSchemaFile(String file) {
    Path path = Path.of(file);
    try {
      return Files.readString(path);
    } catch (java.io.IOException e) {
      throw new JobConfigException("--input-schema: cannot read " + path.toAbsolutePath() + " (" + e + ")", e);
    }
  }

  /** A savepoint location; local ones (a path or file: URI) must exist, remote ones are checked by Flink. */
  private static String savepointPath(String location) {
    if (location == null) {
      return null;
    }
    if (location.isBlank()) {
      throw new JobConfigException("--from-savepoint must not be empty");
    }
    boolean remote = location.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*") && !location.startsWith("file:");
    if (!remote) {
      Path local = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
      if (!Files.exists(local)) {
        throw new JobConfigException("--from-savepoint " + location + " does not exist: pass the location that"
            + " stop-with-savepoint printed (a savepoint-... directory)");
      }
    }
    return location;
  }

  private static List<String> parseFieldList(String fields) {
    List<String> names = new ArrayList<>();
    for (String name : fields.split(",", -1)) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        throw new JobConfigException("--feature-fields has an empty name in '" + fields + "' (expected a,b,c)");
      }
      if (names.contains(trimmed)) {
        throw new JobConfigException("--feature-fields names '" + trimmed + "' twice in '" + fields + "'");
      }
      names.add(trimmed);
    }
    return Collections.unmodifiableList(names);
  }

  private static Map<String, String> parseKafkaProperties(List<String> pairs) {
    Map<String, String> properties = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new JobConfigException("--kafka-property must be KEY=VALUE, got '" + pair + "'");
      }
      properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    return Collections.unmodifiableMap(properties);
  }

  /** The model artifact directory. */
  public Path modelPath() {
    return modelPath;
  }

  /** Kafka bootstrap servers for source and sinks. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The input topic. */
  public String inputTopic() {
    return inputTopic;
  }

  /** The topic of scored events. */
  public String scoresTopic() {
    return scoresTopic;
  }

  /** The topic of alerts. */
  public String alertsTopic() {
    return alertsTopic;
  }

  /** The topic of dead letters. */
  public String deadLettersTopic() {
    return deadLettersTopic;
  }

  /** The topic of model-update announcements, when hot swap is on. */
  public Optional<String> modelUpdatesTopic() {
    return Optional.ofNullable(modelUpdatesTopic);
  }

  /** The consumer group id of the source. */
  public String groupId() {
    return groupId;
  }

  /** Where to start reading without a restored checkpoint. */
  public StartingOffsets startingOffsets() {
    return startingOffsets;
  }

  /** Whether the source stops at the end offsets seen at start-up. */
  public boolean bounded() {
    return bounded;
  }

  /** The input framing. */
  public InputEncoding inputEncoding() {
    return inputEncoding;
  }

  /** The user's input record schema as JSON, when {@code --input-schema} was given. */
  public Optional<String> inputSchemaJson() {
    return Optional.ofNullable(inputSchemaJson);
  }

  /** The file named by {@code --input-schema}, for error messages. */
  public Optional<String> inputSchemaFile() {
    return Optional.ofNullable(inputSchemaFile);
  }

  /** The input-schema fields read as features in model order; empty means "the model's feature names". */
  public List<String> featureFields() {
    return featureFields;
  }

  /** The input-schema field holding the record id, if configured. */
  public Optional<String> idField() {
    return Optional.ofNullable(idField);
  }

  /** The input-schema field holding the event time in epoch milliseconds, if configured. */
  public Optional<String> timestampField() {
    return Optional.ofNullable(timestampField);
  }

  /** Records per micro-batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Longest wait, in milliseconds, before a partial micro-batch is scored. */
  public long batchTimeoutMillis() {
    return batchTimeoutMillis;
  }

  /** The log-likelihood threshold overriding the artifact's, if given. */
  public OptionalDouble threshold() {
    return threshold == null ? OptionalDouble.empty() : OptionalDouble.of(threshold);
  }

  /** The checkpoint interval in milliseconds. */
  public long checkpointIntervalMillis() {
    return checkpointIntervalMillis;
  }

  /** The transactional-id prefix of the sinks. */
  public String transactionalIdPrefix() {
    return transactionalIdPrefix;
  }

  /** The sinks' {@code transaction.timeout.ms}. */
  public long transactionTimeoutMillis() {
    return transactionTimeoutMillis;
  }

  /** Extra Kafka client properties for source and sinks, in the order given. */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  /** The job's parallelism. */
  public int parallelism() {
    return parallelism;
  }

  /** The savepoint or retained checkpoint to restore from, when {@code --from-savepoint} was given. */
  public Optional<String> fromSavepoint() {
    return Optional.ofNullable(fromSavepoint);
  }

  /** The embedded MiniCluster's REST/web UI port. */
  public int webPort() {
    return webPort;
  }

  /** Whether {@code --help} was asked for. */
  public boolean help() {
    return help;
  }

  @Override
  public String toString() {
    return "JobConfig{model=" + modelPath + ", bootstrapServers=" + bootstrapServers + ", topics=" + Arrays.asList(
        inputTopic, scoresTopic, alertsTopic, deadLettersTopic) + ", inputEncoding=" + inputEncoding.flagValue()
        + ", inputSchema=" + inputSchemaFile + ", batchSize=" + batchSize + ", batchTimeoutMs=" + batchTimeoutMillis
        + ", threshold=" + threshold + ", checkpointIntervalMs=" + checkpointIntervalMillis + ", parallelism="
        + parallelism + ", kafkaProperties=" + kafkaProperties.keySet() + "}";
  }

  private static final class Flag {
    final String name;
    final String placeholder;
    final String defaultValue;
    final String help;

    Flag(String name, String placeholder, String defaultValue, String help) {
      this.name = name;
      this.placeholder = placeholder;
      this.defaultValue = defaultValue;
      this.help = help;
    }
  }
}
