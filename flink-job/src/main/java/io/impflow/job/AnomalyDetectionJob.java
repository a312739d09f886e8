package io.impflow.job;

import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import io.impflow.job.decode.DecodeAndValidate;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.decode.InputSpec;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.health.ModelHealthWindows;
import io.impflow.job.metrics.PrometheusEndpoint;
import io.impflow.job.scoring.MicroBatchScoringOperator;
import io.impflow.job.scoring.ScoringSettings;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.store.ModelLocationPolicy;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming anomaly detector: raw Kafka records are decoded and validated, scored in micro-batches by exact
 * log-likelihood, and written as scores, alerts and dead letters, exactly once; optionally the model is hot-swapped
 * on announcements from a model-updates source; and, given a model-health sink, one {@code ModelHealth} record per
 * model version and window (mean log-likelihood, alert rate, p-value uniformity, drift flag).
 *
 * <p>Built the flink-training way: the job takes its source and sinks as constructor arguments; {@link #main} wires
 * Kafka, tests wire their own and run the very same pipeline.
 */
public final class AnomalyDetectionJob {
  private static final Logger LOG = LoggerFactory.getLogger(AnomalyDetectionJob.class);
  private static final String WEB_UI_CLASS = "org.apache.flink.runtime.webmonitor.WebSubmissionExtension";
  /** The longest wait between two restarts after failures. */
  static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(10);

  private final JobConfig config;
  private final Source<RawRecord, ?, ?> source;
  private final Source<ModelUpdate, ?, ?> modelUpdates;
  private final Sink<ScoredEvent> scores;
  private final Sink<Alert> alerts;
  private final Sink<DeadLetter> deadLetters;
  private final Sink<ModelHealth> modelHealth;
  private final InputSpec input;
  private final ScoringSettings scoring;
  private final String modelVersion;

  /**
   * A job reading raw records from {@code source} and writing to the three sinks, with a fixed model.
   *
   * @throws JobConfigException if the model, input schema and flags do not fit together
   */
  public AnomalyDetectionJob(JobConfig config, Source<RawRecord, ?, ?> source, Sink<ScoredEvent> scores,
      Sink<Alert> alerts, Sink<DeadLetter> deadLetters) {
    this(config, source, null, scores, alerts, deadLetters);
  }

  /**
   * A job reading raw records from {@code source} and writing to the three sinks, hot-swapping its model on the
   * announcements from {@code modelUpdates} (null for a fixed model). Loads the model once to check that the input
   * schema supplies its features and that a threshold exists, so a bad configuration fails here.
   *
   * @throws JobConfigException if the model, input schema and flags do not fit together
   */
  public AnomalyDetectionJob(JobConfig config, Source<RawRecord, ?, ?> source,
      Source<ModelUpdate, ?, ?> modelUpdates, Sink<ScoredEvent> scores, Sink<Alert> alerts,
      Sink<DeadLetter> deadLetters) {
    this(config, source, modelUpdates, scores, alerts, deadLetters, null);
  }

  /**
   * A job as {@link #AnomalyDetectionJob(JobConfig, Source, Source, Sink, Sink, Sink)} that also writes the health of
   * each model version per {@code --health-window} to {@code modelHealth} (null: no health windows).
   *
   * @throws JobConfigException if the model, input schema and flags do not fit together
   */
  public AnomalyDetectionJob(JobConfig config, Source<RawRecord, ?, ?> source,
      Source<ModelUpdate, ?, ?> modelUpdates, Sink<ScoredEvent> scores, Sink<Alert> alerts,
      Sink<DeadLetter> deadLetters, Sink<ModelHealth> modelHealth) {
    this.config = config;
    this.source = source;
    this.modelUpdates = modelUpdates;
    this.scores = scores;
    this.alerts = alerts;
    this.deadLetters = deadLetters;
    this.modelHealth = modelHealth;
    Path modelPath = config.modelPath();
    try (DensityModel model = DensityModel.load(modelPath)) {
      List<String> featureNames = model.featureNames();
      this.input = InputSpec.of(config, featureNames);
      this.scoring = new ScoringSettings(modelPath.toAbsolutePath().toString(), featureNames,
          config.threshold().isPresent() ? config.threshold().getAsDouble() : null, config.batchSize(),
          config.batchTimeoutMillis(), ModelLocationPolicy.of(config.modelRoots()));
      scoring.router(model);
      this.modelVersion = model.version();
    } catch (ArtifactException e) {
      throw new JobConfigException("--model " + modelPath.toAbsolutePath() + " cannot be loaded (" + e.kind() + "): "
          + e.getMessage(), e);
    }
  }

  /** The version of the model the job scores with. */
  public String modelVersion() {
    return modelVersion;
  }

  /**
   * Adds the pipeline to {@code env}: checkpointing, source, decode/validate, micro-batch scoring, three sinks, and
   * the model-health windows and their sink when there is one.
   */
  public void build(StreamExecutionEnvironment env) {
    env.setParallelism(config.parallelism());
    // Every step emits fresh objects and none mutates its input, so chained steps may pass references instead of
    // deep copies (the scoring operator buffers its inputs, which is safe only because no upstream reuses them).
    env.getConfig().enableObjectReuse();
    env.enableCheckpointing(config.checkpointIntervalMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.configure(recoverySettings(config));
    // The web UI's job configuration shows these: settings with secrets redacted, never the raw Kafka properties.
    env.getConfig().setGlobalJobParameters(ParameterTool.fromMap(config.settings()));

    DataStream<RawRecord> raw = env
        .fromSource(source, WatermarkStrategy.noWatermarks(), "input records")
        .uid("input-records");
    SingleOutputStreamOperator<FeatureRecord> decoded = raw
        .process(new DecodeAndValidate(input), TypeInformation.of(FeatureRecord.class))
        .name("decode and validate")
        .uid("decode-and-validate");
    AvroTypeInfo<ScoredEvent> scoredType = new AvroTypeInfo<>(ScoredEvent.class);
    MicroBatchScoringOperator scoringOperator = new MicroBatchScoringOperator(scoring);
    SingleOutputStreamOperator<ScoredEvent> scored;
    if (modelUpdates == null) {
      scored = decoded.transform("micro-batch scoring", scoredType, scoringOperator);
    } else {
      DataStream<ModelUpdate> updates = env
          .fromSource(modelUpdates, WatermarkStrategy.noWatermarks(), "model updates",
              new AvroTypeInfo<>(ModelUpdate.class))
          .uid("model-updates")
          .broadcast();
      scored = decoded.connect(updates).transform("micro-batch scoring", scoredType, scoringOperator);
    }
    scored.uid("micro-batch-scoring");

    scored.sinkTo(scores).name("scores").uid("scores-sink");
    scored.getSideOutput(MicroBatchScoringOperator.ALERTS).sinkTo(alerts).name("alerts").uid("alerts-sink");
    decoded.getSideOutput(DecodeAndValidate.DEAD_LETTERS)
        .union(scored.getSideOutput(MicroBatchScoringOperator.DEAD_LETTERS))
        .sinkTo(deadLetters).name("dead letters").uid("dead-letters-sink");
    if (modelHealth != null) {
      ModelHealthWindows.of(scored.getSideOutput(MicroBatchScoringOperator.HEALTH), config.health())
          .name("model health windows").uid("model-health-windows")
          .sinkTo(modelHealth).name("model health").uid("model-health-sink");
    }
  }

  /**
   * How the job recovers, set on the job so that it holds on any cluster: after a failure (a lost TaskManager, a
   * broker that went away) it restarts from the last checkpoint with exponential delay, 1 s doubling to at most
   * {@link #MAX_RESTART_BACKOFF} (10 % jitter, back to 1 s after 5 minutes without a failure) and never gives up,
   * since a streaming job should outlast any outage; and it restores from {@code --from-savepoint} when given.
   */
  static Configuration recoverySettings(JobConfig config) {
    Configuration recovery = new Configuration();
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, MAX_RESTART_BACKOFF);
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
        Duration.ofMinutes(5));
    recovery.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
    config.fromSavepoint().ifPresent(path -> recovery.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
    return recovery;
  }

  /** Builds the pipeline on {@code env} and runs it until the source ends (or forever, for an unbounded source). */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    build(env);
    return env.execute("impflow anomaly detection (model " + modelVersion + ")");
  }

  /**
   * Runs the job with Kafka source and sinks: on an embedded MiniCluster when started with {@code java}, or on the
   * cluster when submitted with {@code flink run} or over REST ({@code POST /jars/:id/run}).
   *
   * <p>A bad flag, or a model that does not fit them, ends the JVM with status 2 only when this JVM is the job's own
   * ({@code ./impflow job}, see {@link #ownsJvm}). Submitted to a cluster, {@code main} runs inside Flink's client or
   * JobManager: there it throws the {@link JobConfigException}, which Flink reports to the submitter (a {@code
   * ProgramInvocationException} naming the flag) while the cluster keeps running.
   *
   * @throws JobConfigException when submitted to a cluster with a bad configuration
   */
  public static void main(String[] args) throws Exception {
    JobConfig config;
    try {
      config = JobConfig.parse(args);
    } catch (JobConfigException e) {
      refuse(e, "\nRun with --help for every option.");
      return;
    }
    if (config.help()) {
      System.out.print(JobConfig.usage());
      return;
    }
    LOG.info("impflow job settings (secrets redacted): {}", config.settings());
    config.registry().ifPresent(AnomalyDetectionJob::warnIfRegistryUnreachable);
    KafkaWiring kafka = new KafkaWiring(config);
    AnomalyDetectionJob job;
    try {
      job = new AnomalyDetectionJob(config, kafka.source(),
          config.modelUpdatesTopic().isPresent() ? kafka.modelUpdates() : null, kafka.scores(), kafka.alerts(),
          kafka.deadLetters(), kafka.modelHealth());
    } catch (JobConfigException e) {
      refuse(e, "");
      return;
    }
    job.execute(environment(config));
  }

  /**
   * Warns (and returns the warning), and goes on, when no schema registry answers at start-up: it may come up after the job, which retries
   * (and restarts from checkpoints) until it does.
   */
  static Optional<String> warnIfRegistryUnreachable(RegistrySettings registry) {
    Optional<String> warning = new SchemaRegistryClient(registry).unreachable().map(why -> "impflow: warning: the"
        + " schema registry at " + String.join(",", registry.urls()) + " is not reachable now (" + why + "); the job"
        + " starts anyway and waits for it when a record needs a schema");
    warning.ifPresent(message -> {
      System.err.println(message);
      LOG.warn(message);
    });
    return warning;
  }

  /** Ends the job's own JVM with status 2 and the message; inside a Flink process, throws {@code e} instead. */
  private static void refuse(JobConfigException e, String hint) {
    if (!ownsJvm(StreamExecutionEnvironment.getExecutionEnvironment())) {
      throw e;
    }
    System.err.println("error: " + e.getMessage() + hint);
    System.exit(2);
  }

  /**
   * Whether {@code main} runs in a JVM of its own, given the environment {@link
   * StreamExecutionEnvironment#getExecutionEnvironment()} returns there: a plain local one when started with {@code
   * java} (the {@code ./impflow job} launcher). Flink's client ({@code flink run}) and the JobManager's REST
   * submission install a context environment before they call {@code main}; their JVM is not the job's to end.
   */
  static boolean ownsJvm(StreamExecutionEnvironment contextEnvironment) {
    return contextEnvironment instanceof LocalStreamEnvironment;
  }

  /**
   * The cluster's environment under {@code flink run} (where the cluster's own configuration decides the metric
   * reporters); otherwise an embedded MiniCluster with {@link #localConfiguration}.
   */
  private static StreamExecutionEnvironment environment(JobConfig config) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (!(env instanceof LocalStreamEnvironment)) {
      if (config.metricsPort().isPresent()) {
        System.err.println("impflow: --metrics-port applies to the embedded MiniCluster only; on a cluster, configure"
            + " the Prometheus reporter in its config.yaml (README.md, \"Model health, drift and metrics\")");
      }
      return env;
    }
    Configuration conf = localConfiguration(config);
    if (config.metricsPort().isPresent()) {
      System.out.println("impflow: job metrics for Prometheus at http://localhost:" + config.metricsPort().getAsInt()
          + "/metrics");
    }
    if (webUiPresent()) {
      System.out.println("impflow: embedded Flink MiniCluster, web UI at http://localhost:" + config.webPort());
      return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    }
    System.out.println("impflow: embedded Flink MiniCluster, REST API at http://localhost:" + config.webPort()
        + " (put flink-runtime-web on the classpath for the web UI)");
    return StreamExecutionEnvironment.createLocalEnvironment(conf);
  }

  /**
   * The embedded MiniCluster's configuration: the REST port ({@code --web-port}) and, with {@code --metrics-port},
   * Flink's Prometheus reporter on that port.
   */
  public static Configuration localConfiguration(JobConfig config) {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, Integer.toString(config.webPort()));
    config.metricsPort().ifPresent(port -> PrometheusEndpoint.configure(conf, port));
    return conf;
  }

  private static boolean webUiPresent() {
    try {
      Class.forName(WEB_UI_CLASS, false, AnomalyDetectionJob.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
