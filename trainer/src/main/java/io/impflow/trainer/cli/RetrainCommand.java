package io.impflow.trainer.cli;

import io.impflow.schemas.kafka.KafkaClientProperties;
import io.impflow.trainer.data.KafkaWindowDataSource;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.retrain.DriftLoop;
import io.impflow.trainer.retrain.DriftTrigger;
import io.impflow.trainer.retrain.GateSettings;
import io.impflow.trainer.retrain.HealthTopicWatch;
import io.impflow.trainer.retrain.RetrainDecision;
import io.impflow.trainer.retrain.RetrainOptions;
import io.impflow.trainer.retrain.RetrainSchedule;
import io.impflow.trainer.retrain.Retrainer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code impflow retrain}: fits a candidate on a window of the input topic, gates it, publishes it if it passes. */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Read a window of the input topic (read_committed; records the job would dead-letter are skipped and"
            + " counted), fit a candidate with the serving model's settings on its older rows, and gate it against"
            + " the serving model (the store's 'latest') on the newest rows: same feature names, Lipschitz bound"
            + " < 1, every row's solve converges, mean log-likelihood of the rows both call normal not worse than"
            + " --ll-tolerance, alert rate within --alert-rate-factor x the target (or the serving model's rate).",
        "A passing candidate is published to the store, announced as a ModelUpdate on --model-updates-topic and"
            + " becomes 'latest'; a refused one is reported and nothing changes. The decision and its numbers go to"
            + " stdout, the log and --report. Runs once (for cron or a Kubernetes CronJob), every --every, or on"
            + " each drift the job reports for the serving version (--on-drift).",
        "Exit codes: 0 a decision was made (published or refused), 1 failure, 2 usage error."},
    footer = {"", "Example: ./impflow retrain --from kafka://localhost:9092/events --window 6h"
        + " --serving file:///var/lib/impflow/models --model-updates-topic model-updates --keep 5"})
final class RetrainCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RetrainCommand.class);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|m|h|d)");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "kafka://HOST:PORT/TOPIC",
      description = "The input topic the job reads (single-object FeatureVector records, or schema-registry framed"
          + " records with --input-encoding confluent).")
  String from;

  @Mixin KafkaFramingOptions framing;

  @Option(names = "--window", paramLabel = "DURATION",
      description = "Read the records of the last DURATION (e.g. 6h, 30min, 1d), by record timestamp.")
  String window;

  @Option(names = "--window-records", paramLabel = "N",
      description = "Read the newest N records across all partitions (instead of --window).")
  Integer windowRecords;

  @Option(names = "--serving", required = true, paramLabel = "STORE_URI",
      description = "The model store (file:///..., s3://..., hdfs://... or a path); its 'latest' version serves.")
  String store;

  @Option(names = "--initial-model", paramLabel = "DIR",
      description = "Publish this artifact as the serving model when the store has no 'latest' yet.")
  Path initialModel;

  @Option(names = "--gate-fraction", defaultValue = "0.2", paramLabel = "F",
      description = "Share of the window's newest rows kept out of training for the gate (default: ${DEFAULT-VALUE}).")
  double gateFraction;

  @Option(names = "--ll-tolerance", defaultValue = "1.0", paramLabel = "NATS",
      description = "How far the candidate's mean log-likelihood of the rows both models call normal may fall below"
          + " the serving model's (default: ${DEFAULT-VALUE}).")
  double logLikelihoodTolerance;

  @Option(names = "--alert-rate-factor", defaultValue = "2", paramLabel = "X",
      description = "The candidate may flag up to X times the target false-positive rate (plus 3 binomial standard"
          + " deviations), or as much as the serving model (default: ${DEFAULT-VALUE}).")
  double alertRateFactor;

  @Option(names = "--min-common-rows", defaultValue = "20", paramLabel = "N",
      description = "Fewest rows both models call normal for the log-likelihood comparison (default:"
          + " ${DEFAULT-VALUE}); with fewer it is skipped and the report says so.")
  int minCommonRows;

  @Option(names = "--model-updates-topic", paramLabel = "TOPIC",
      description = "Announce a published model here (the job's --model-updates-topic); default: publish only.")
  String modelUpdatesTopic;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Kafka client property for every client, repeatable (e.g. security.protocol=SASL_SSL).")
  List<String> kafkaProperties = List.of();

  @Option(names = "--kafka-properties-file", paramLabel = "FILE.properties",
      description = "Kafka client properties for every client from a file (keep secrets such as sasl.jaas.config"
          + " here, not on the command line); --kafka-property wins over the file.")
  Path kafkaPropertiesFile;

  @Option(names = "--keep", defaultValue = "0", paramLabel = "N",
      description = "After publishing, keep the N newest versions in the store (the serving one always); 0 keeps"
          + " all (default).")
  int keep;

  @Option(names = "--device", defaultValue = "auto", paramLabel = "DEV",
      description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  DeviceOption device;

  @Option(names = "--max-steps", paramLabel = "N",
      description = "Most optimizer steps (default: the serving model's).")
  Long maxSteps;

  @Option(names = "--time-budget", paramLabel = "SECONDS",
      description = "Training wall-time budget (default: the serving model's).")
  Double timeBudget;

  @Option(names = "--seed", paramLabel = "S", description = "Training seed (default: the serving model's).")
  Long seed;

  @Option(names = "--feature-names", split = ",", paramLabel = "NAMES",
      description = "Names of the FeatureVector positions (default: the serving model's; others fail the gate).")
  List<String> featureNames;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the decision and its numbers as JSON.")
  Path report;

  @Option(names = "--every", paramLabel = "DURATION",
      description = "Keep running and retrain every DURATION (e.g. 6h).")
  String every;

  @Option(names = "--on-drift",
      description = "Keep running and retrain when the job reports drift for the serving version (once per version).")
  boolean onDrift;

  @Option(names = "--health-topic", defaultValue = "model-health", paramLabel = "TOPIC",
      description = "Topic of the job's ModelHealth records, for --on-drift (default: ${DEFAULT-VALUE}).")
  String healthTopic;

  @Override
  public Integer call() throws Exception {
    RetrainOptions options = options();
    if (every != null && onDrift) {
      throw usage("--every and --on-drift: choose one");
    }
    Retrainer retrainer = new Retrainer(options, Clock.systemUTC());
    if (every != null) {
      Duration period = duration("--every", every);
      AtomicBoolean running = stopOnShutdown();
      RetrainSchedule.systemClock().runEvery(period, running::get, () -> runLogged(retrainer));
      return 0;
    }
    if (onDrift) {
      watchDrift(retrainer, options);
      return 0;
    }
    print(retrainer.runOnce());
    return 0;
  }

  /** The options the flags describe; a bad value is a usage error naming the flag. */
  RetrainOptions options() {
    if (!from.startsWith(KafkaWindowDataSource.SCHEME)) {
      throw usage("--from must be kafka://HOST:PORT[,HOST:PORT]/TOPIC, got " + from);
    }
    String rest = from.substring(KafkaWindowDataSource.SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw usage("--from must be kafka://HOST:PORT[,HOST:PORT]/TOPIC, got " + from);
    }
    try {
      Map<String, String> properties = kafkaProperties();
      return new RetrainOptions(rest.substring(0, slash), rest.substring(slash + 1),
          window == null ? null : duration("--window", window), windowRecords == null ? 0 : windowRecords, store,
          initialModel, gateFraction, new GateSettings(logLikelihoodTolerance, alertRateFactor, minCommonRows),
          modelUpdatesTopic, properties, framing.registry(properties), keep, device, maxSteps, timeBudget, seed,
          featureNames, report);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private void watchDrift(Retrainer retrainer, RetrainOptions options) throws Exception {
    AtomicBoolean running = stopOnShutdown();
    try (HealthTopicWatch watch = new HealthTopicWatch(options.bootstrapServers(), options.kafkaProperties(),
        healthTopic)) {
      LOG.info("watching {} for drift of the serving model {}", healthTopic, retrainer.servingVersion());
      DriftLoop.run(retrainer, watch, new DriftTrigger(), running::get, this::print);
    }
  }

  /** One scheduled run: a failure is logged and the schedule goes on. */
  private void runLogged(Retrainer retrainer) {
    try {
      print(retrainer.runOnce());
    } catch (Exception e) {
      LOG.error("retrain failed, the serving model is unchanged: {}", e.getMessage(), e);
    }
  }

  private void print(RetrainDecision decision) {
    spec.commandLine().getOut().println(decision.summary());
    spec.commandLine().getOut().flush();
  }

  private static AtomicBoolean stopOnShutdown() {
    AtomicBoolean running = new AtomicBoolean(true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false), "impflow-retrain-stop"));
    return running;
  }

  private Map<String, String> kafkaProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    if (kafkaPropertiesFile != null) {
      try {
        properties.putAll(KafkaClientProperties.load("--kafka-properties-file", kafkaPropertiesFile));
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
    for (String pair : kafkaProperties) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        // not echoed: a value without its key may be a secret
        throw usage("--kafka-property must be KEY=VALUE, got " + pair.length() + " characters without a key"
            + " (not shown: it may hold a secret)");
      }
      properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    return properties;
  }

  private Duration duration(String flag, String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw usage(flag + " must be a duration such as 90s, 30min, 6h or 1d, got '" + text + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "min", "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
