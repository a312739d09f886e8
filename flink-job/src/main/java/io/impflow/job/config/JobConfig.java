package io.impflow.job.config;

import io.impflow.job.health.HealthSettings;
import io.impflow.model.store.ModelLocationPolicy;
import io.impflow.schemas.kafka.KafkaClientProperties;
import io.impflow.schemas.registry.RegistrySettings;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.PicocliException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The streaming job's configuration, parsed by picocli from {@code --flag value} arguments (see {@link JobOptions}),
 * {@code IMPFLOW_JOB_<FLAG>} environment variables or a {@code --config} file, and validated at start-up so that a
 * bad value fails before anything runs, with a message naming the flag. Serializable: Flink ships it to the tasks.
 */
public final class JobConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The broker's default {@code transaction.max.timeout.ms}; a producer asking for more is refused. */
  public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|h)?");

  /** Text, not a {@link Path}: Path is not serializable. */
  private final String modelPath;
  private final String bootstrapServers;
  private final String inputTopic;
  private final String scoresTopic;
  private final String alertsTopic;
  private final String deadLettersTopic;
  private final String modelUpdatesTopic;
  private final List<String> modelRoots;
  private final String groupId;
  private final StartingOffsets startingOffsets;
  private final boolean bounded;
  private final InputEncoding inputEncoding;
  private final OutputEncoding outputEncoding;
  private final RegistrySettings registry;
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
  private final String kafkaPropertiesFile;
  private final int parallelism;
  private final String fromSavepoint;
  private final int webPort;
  private final String modelHealthTopic;
  private final HealthSettings health;
  private final Integer metricsPort;
  private final boolean help;

  private JobConfig(JobOptions options) {
    help = options.help;
    String model = options.model;
    if (model == null && !help) {
      throw new JobConfigException("--model is required: the model artifact directory written by the trainer");
    }
    modelPath = model;
    if (model != null && !Files.isDirectory(Path.of(model))) {
      throw new JobConfigException("--model must be an artifact directory, but " + Path.of(model).toAbsolutePath()
          + " is not a directory");
    }
    bootstrapServers = text("bootstrap-servers", options.bootstrapServers);
    inputTopic = text("input-topic", options.inputTopic);
    scoresTopic = text("scores-topic", options.scoresTopic);
    alertsTopic = text("alerts-topic", options.alertsTopic);
    deadLettersTopic = text("dead-letters-topic", options.deadLettersTopic);
    modelUpdatesTopic = options.modelUpdatesTopic;
    modelRoots = modelRoots(options.modelRoots == null ? List.of() : options.modelRoots, model);
    groupId = text("group-id", options.groupId);
    startingOffsets = StartingOffsets.fromFlag(text("starting-offsets", options.startingOffsets));
    bounded = options.bounded;
    inputEncoding = InputEncoding.fromFlag(text("input-encoding", options.inputEncoding));
    inputSchemaFile = options.inputSchema;
    inputSchemaJson = inputSchemaFile == null ? null : readSchemaFile(inputSchemaFile);
    boolean namedFields = inputSchemaFile != null || inputEncoding == InputEncoding.CONFLUENT;
    if (inputSchemaFile != null && inputEncoding == InputEncoding.CONFLUENT) {
      throw new JobConfigException("--input-schema does not apply to --input-encoding confluent: each record's writer"
          + " schema comes from the schema registry; drop --input-schema (features are read by field name, mapped"
          + " with --feature-fields)");
    }
    String fields = options.featureFields;
    if (fields != null && !namedFields) {
      throw new JobConfigException("--feature-fields needs --input-schema or --input-encoding confluent:"
          + " FeatureVector input already lists its features in the model's order");
    }
    featureFields = fields == null ? List.of() : parseFieldList(fields);
    idField = options.idField;
    timestampField = options.timestampField;
    if ((idField != null || timestampField != null) && !namedFields) {
      throw new JobConfigException("--id-field and --timestamp-field need --input-schema or --input-encoding"
          + " confluent: FeatureVector input has fixed id and timestamp fields");
    }
    batchSize = atLeast("batch-size", options.batchSize, 1);
    batchTimeoutMillis = duration("batch-timeout", options.batchTimeout).toMillis();
    if (batchTimeoutMillis < 1) {
      throw new JobConfigException("--batch-timeout must be ≥ 1ms, got " + options.batchTimeout);
    }
    threshold = options.threshold == null ? null : finiteDouble("threshold", options.threshold);
    checkpointIntervalMillis = duration("checkpoint-interval", options.checkpointInterval).toMillis();
    if (checkpointIntervalMillis < 10) {
      throw new JobConfigException("--checkpoint-interval must be ≥ 10ms, got " + options.checkpointInterval
          + " (sink transactions commit only on checkpoints)");
    }
    transactionalIdPrefix = text("transactional-id-prefix", options.transactionalIdPrefix);
    Duration transactionTimeout = duration("transaction-timeout", options.transactionTimeout);
    if (transactionTimeout.compareTo(MAX_TRANSACTION_TIMEOUT) > 0 || transactionTimeout.isZero()) {
      throw new JobConfigException("--transaction-timeout must be between 1ms and 15min (the broker's default"
          + " transaction.max.timeout.ms), got " + options.transactionTimeout);
    }
    transactionTimeoutMillis = transactionTimeout.toMillis();
    if (transactionTimeoutMillis <= checkpointIntervalMillis) {
      throw new JobConfigException("--transaction-timeout (" + transactionTimeoutMillis + " ms) must be longer than"
          + " --checkpoint-interval (" + checkpointIntervalMillis + " ms), or transactions expire before they commit");
    }
    kafkaPropertiesFile = options.kafkaPropertiesFile;
    Map<String, String> clientProperties = kafkaProperties(kafkaPropertiesFile,
        options.kafkaProperties == null ? List.of() : options.kafkaProperties);
    outputEncoding = OutputEncoding.fromFlag(text("output-encoding", options.outputEncoding));
    registry = registrySettings(options, clientProperties, inputEncoding == InputEncoding.CONFLUENT
        || outputEncoding == OutputEncoding.CONFLUENT);
    Map<String, String> kafkaOnly = new LinkedHashMap<>(clientProperties);
    kafkaOnly.keySet().removeIf(RegistrySettings::isRegistryKey);
    kafkaProperties = Collections.unmodifiableMap(kafkaOnly);
    parallelism = atLeast("parallelism", options.parallelism, 1);
    fromSavepoint = savepointPath(options.fromSavepoint);
    webPort = port("web-port", options.webPort);
    modelHealthTopic = text("model-health-topic", options.modelHealthTopic);
    health = new HealthSettings(duration("health-window", options.healthWindow).toMillis(),
        finiteDouble("drift-threshold", text("drift-threshold", options.driftThreshold)),
        atLeast("drift-min-records", options.driftMinRecords, 1));
    metricsPort = options.metricsPort == null ? null : port("metrics-port", options.metricsPort);
    if (metricsPort != null && metricsPort == webPort) {
      throw new JobConfigException("--metrics-port and --web-port must differ, both are " + webPort);
    }
  }

  /**
   * Parses and validates {@code --flag value} arguments; flags not given come from {@code IMPFLOW_JOB_<FLAG>}
   * environment variables or the {@code --config} file.
   *
   * @throws JobConfigException naming the first flag that is unknown, missing its value, or invalid
   */
  public static JobConfig parse(String... args) {
    return parse(System.getenv(), args);
  }

  /**
   * Parses and validates {@code args} with flag values not given there taken from {@code environment} (variables
   * {@code IMPFLOW_JOB_<FLAG>}) or from the {@code --config} file.
   *
   * @throws JobConfigException naming the first flag that is unknown, missing its value, or invalid
   */
  public static JobConfig parse(Map<String, String> environment, String... args) {
    JobOptions options = new JobOptions();
    JobDefaults defaults = new JobDefaults(environment, () -> options.configFile);
    CommandLine commandLine = new CommandLine(options)
        .setExpandAtFiles(false)
        .setOverwrittenOptionsAllowed(true)
        .setDefaultValueProvider(defaults);
    ParseResult parsed;
    try {
      parsed = commandLine.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      String first = e.getUnmatched().get(0);
      if (first.startsWith("--")) {
        int eq = first.indexOf('=');
        throw new JobConfigException("unknown option " + (eq < 0 ? first : first.substring(0, eq))
            + " (see --help for the list)", e);
      }
      throw new JobConfigException("unexpected argument '" + first + "': every option is a --flag (see --help)", e);
    } catch (MissingParameterException e) {
      OptionSpec option = (OptionSpec) e.getMissing().get(0);
      throw new JobConfigException(option.longestName() + " needs a value: " + option.longestName() + " "
          + option.paramLabel(), e);
    } catch (PicocliException e) {
      throw configFailure(e);
    }
    for (OptionSpec option : parsed.matchedOptions()) {
      List<String> given = option.originalStringValues();
      if (!option.isMultiValue() && given.size() > 1) {
        throw new JobConfigException(option.longestName() + " given twice ('" + given.get(0) + "' and '"
            + given.get(1) + "')");
      }
    }
    rejectUnknownFileKeys(commandLine, defaults, options.configFile);
    return new JobConfig(options);
  }

  /** The {@code --help} text: every flag with its default. */
  public static String usage() {
    return new CommandLine(new JobOptions()).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** A picocli failure; a failure of the default provider (an unreadable {@code --config} file) as it was thrown. */
  private static RuntimeException configFailure(PicocliException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof JobConfigException) {
        return (JobConfigException) cause;
      }
    }
    // picocli may append every argument ("while processing argument ... in [...]"), secrets included.
    String message = String.valueOf(e.getMessage());
    int context = message.indexOf(" while processing argument");
    return new JobConfigException(context < 0 ? message : message.substring(0, context), e);
  }

  private static void rejectUnknownFileKeys(CommandLine commandLine, JobDefaults defaults, String configFile) {
    if (configFile == null) {
      return;
    }
    for (String key : defaults.fileValues().stringPropertyNames()) {
      OptionSpec option = commandLine.getCommandSpec().findOption("--" + key);
      if (option == null || option.usageHelp() || key.equals("config")) {
        throw new JobConfigException("--config " + configFile + ": unknown option '" + key + "' (keys are flag"
            + " names without the leading --, see --help for the list)");
      }
    }
  }

  private static String text(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new JobConfigException("--" + name + " must not be empty");
    }
    return value.trim();
  }

  private static int atLeast(String name, String text, int minimum) {
    String value = text(name, text);
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

  private static int port(String name, String text) {
    int port = atLeast(name, text, 1);
    if (port > 65535) {
      throw new JobConfigException("--" + name + " must be ≤ 65535, got " + port);
    }
    return port;
  }

  private static Duration duration(String name, String text) {
    String value = text(name, text);
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

  /** The {@code --model-root} URIs as given (checked here), or the parent directory of {@code --model}. */
  private static List<String> modelRoots(List<String> given, String model) {
    List<String> roots = given;
    if (roots.isEmpty() && model != null) {
      Path modelDir = Path.of(model).toAbsolutePath().normalize();
      Path parent = modelDir.getParent();
      roots = List.of((parent == null ? modelDir : parent).toUri().toString());
    }
    if (!roots.isEmpty()) {
      try {
        ModelLocationPolicy.of(roots);
      } catch (IllegalArgumentException e) {
        throw new JobConfigException(e.getMessage(), e);
      }
    }
    return List.copyOf(roots);
  }

  /** A root for display: any user-info part of the URI (it may hold a credential) replaced by {@code ***}. */
  private static String shownRoot(String root) {
    int scheme = root.indexOf("://");
    if (scheme < 0) {
      return root;
    }
    int start = scheme + 3;
    int slash = root.indexOf('/', start);
    int at = root.lastIndexOf('@', slash < 0 ? root.length() : slash);
    return at < start ? root : root.substring(0, start) + "***" + root.substring(at);
  }

  /**
   * The registry settings when a confluent encoding needs them: {@code --schema-registry-url} is then required, and
   * refused without one (it would be silently unused).
   */
  private static RegistrySettings registrySettings(JobOptions options, Map<String, String> clientProperties,
      boolean needed) {
    String urls = options.schemaRegistryUrl;
    if (!needed) {
      if (urls != null) {
        throw new JobConfigException("--schema-registry-url is only used with --input-encoding confluent or"
            + " --output-encoding confluent; add one of them or drop the URL");
      }
      return null;
    }
    if (urls == null || urls.isBlank()) {
      throw new JobConfigException("--input-encoding confluent and --output-encoding confluent need"
          + " --schema-registry-url URL[,URL...] (for Apicurio Registry: http://HOST:PORT/apis/ccompat/v7)");
    }
    Duration maxWait = duration("schema-registry-max-wait", options.schemaRegistryMaxWait);
    if (maxWait.isZero()) {
      throw new JobConfigException("--schema-registry-max-wait must be ≥ 1ms, got " + options.schemaRegistryMaxWait);
    }
    try {
      return RegistrySettings.of("--schema-registry-url", urls, clientProperties, maxWait);
    } catch (IllegalArgumentException e) {
      throw new JobConfigException(e.getMessage(), e);
    }
  }

  /** The file's properties, then the {@code --kafka-property} pairs over them. */
  private static Map<String, String> kafkaProperties(String file, List<String> pairs) {
    Map<String, String> properties = new LinkedHashMap<>();
    if (file != null) {
      try {
        properties.putAll(KafkaClientProperties.load("--kafka-properties-file", Path.of(file)));
      } catch (IllegalArgumentException e) {
        throw new JobConfigException(e.getMessage(), e);
      }
    }
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        // The text is not echoed: a value without its key may be a secret.
        throw new JobConfigException("--kafka-property must be KEY=VALUE, got " + pair.length() + " characters"
            + (eq == 0 ? " starting with '='" : " without '='") + " (not shown: it may hold a secret)");
      }
      properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    return Collections.unmodifiableMap(properties);
  }

  /** The model artifact directory. */
  public Path modelPath() {
    return modelPath == null ? null : Path.of(modelPath);
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

  /** Where announced models may be loaded from: the {@code --model-root} URIs, by default the parent of --model. */
  public List<String> modelRoots() {
    return modelRoots;
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

  /** The framing of the records the job writes. */
  public OutputEncoding outputEncoding() {
    return outputEncoding;
  }

  /** The schema registry, when a confluent encoding is configured. */
  public Optional<RegistrySettings> registry() {
    return Optional.ofNullable(registry);
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

  /**
   * Extra Kafka client properties for source and sinks ({@code --kafka-properties-file}, then {@code
   * --kafka-property}; the schema registry's keys taken out), secrets included: pass them to Kafka clients only, show {@link #settings()} instead.
   */
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

  /**
   * Every setting by flag name, for display (the Flink web UI's job parameters, logs): Kafka properties appear as
   * {@code kafka-property.KEY} with secret values {@linkplain KafkaClientProperties#redacted redacted}.
   */
  public Map<String, String> settings() {
    Map<String, String> shown = new LinkedHashMap<>();
    shown.put("model", String.valueOf(modelPath));
    shown.put("bootstrap-servers", bootstrapServers);
    shown.put("input-topic", inputTopic);
    shown.put("scores-topic", scoresTopic);
    shown.put("alerts-topic", alertsTopic);
    shown.put("dead-letters-topic", deadLettersTopic);
    shown.put("model-updates-topic", String.valueOf(modelUpdatesTopic));
    List<String> roots = new ArrayList<>();
    modelRoots.forEach(root -> roots.add(shownRoot(root)));
    shown.put("model-root", String.join(",", roots));
    shown.put("group-id", groupId);
    shown.put("starting-offsets", startingOffsets.flagValue());
    shown.put("bounded", Boolean.toString(bounded));
    shown.put("input-encoding", inputEncoding.flagValue());
    shown.put("output-encoding", outputEncoding.flagValue());
    if (registry != null) {
      shown.put("schema-registry-url", String.join(",", registry.urls()));
      shown.put("schema-registry-max-wait", registry.maxWait().toMillis() + "ms");
      KafkaClientProperties.redacted(registry.properties())
          .forEach((key, value) -> shown.put("schema-registry." + key, value));
    }
    shown.put("input-schema", String.valueOf(inputSchemaFile));
    shown.put("feature-fields", String.join(",", featureFields));
    shown.put("batch-size", Integer.toString(batchSize));
    shown.put("batch-timeout", batchTimeoutMillis + "ms");
    shown.put("threshold", String.valueOf(threshold));
    shown.put("checkpoint-interval", checkpointIntervalMillis + "ms");
    shown.put("transactional-id-prefix", transactionalIdPrefix);
    shown.put("transaction-timeout", transactionTimeoutMillis + "ms");
    shown.put("kafka-properties-file", String.valueOf(kafkaPropertiesFile));
    KafkaClientProperties.redacted(kafkaProperties).forEach((key, value) -> shown.put("kafka-property." + key, value));
    shown.put("parallelism", Integer.toString(parallelism));
    shown.put("from-savepoint", String.valueOf(fromSavepoint));
    shown.put("web-port", Integer.toString(webPort));
    shown.put("model-health-topic", modelHealthTopic);
    shown.put("health", health.toString());
    shown.put("metrics-port", String.valueOf(metricsPort));
    return Collections.unmodifiableMap(shown);
  }

  @Override
  public String toString() {
    return "JobConfig" + settings();
  }

  /** The topic of model-health records. */
  public String modelHealthTopic() {
    return modelHealthTopic;
  }

  /** How model health is windowed and when a window is flagged as drift. */
  public HealthSettings health() {
    return health;
  }

  /** The port of the Prometheus metrics endpoint, when {@code --metrics-port} was given. */
  public OptionalInt metricsPort() {
    return metricsPort == null ? OptionalInt.empty() : OptionalInt.of(metricsPort);
  }}
