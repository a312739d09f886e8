package io.impflow.bench.e2e;

import io.impflow.bench.quality.FlowMethod;
import io.impflow.bench.quality.GeneratedSections;
import io.impflow.bench.quality.QualitySuite;
import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.model.flow.FlowSpec;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end load benchmark: trains an ImpFlow model on shuttle (clean split, seed 1) or takes a given artifact,
 * starts a real Kafka broker process and the streaming job on an embedded MiniCluster, produces a fixed number of
 * records (shuttle test rows, or the given model's own samples) as fast as one producer can or at an offered rate,
 * and times every record from production to the scores topic. "Sink write" is the broker's append time of the
 * scored record (the output topics use {@code LogAppendTime}, so the job's transactional write is timestamped by the
 * broker when it lands, before the commit); "visible" is when a {@code read_committed} consumer receives it, after
 * the checkpoint that commits the transaction. Writes the {@code e2e} region of {@code docs/benchmarks.md} (or
 * another document, or none).
 */
public final class EndToEndLoad {

  private static final Logger LOG = LoggerFactory.getLogger(EndToEndLoad.class);
  private static final String INPUT = "events";
  private static final String SCORES = "scores";
  private static final String ALERTS = "alerts";
  private static final String DEAD_LETTERS = "dead-letters";
  private static final int WARM_UP_RECORDS = 500;
  private static final Duration TIMEOUT = Duration.ofMinutes(8);
  /** How many of a given model's own samples are cycled through as input. */
  private static final int SAMPLED_ROWS = 10_000;
  private static final long SAMPLE_SEED = 5;
  /** A paced run kept up when its sustained scoring rate was at least this fraction of the offered rate. */
  private static final double KEPT_UP = 0.95;

  /**
   * Settings.
   *
   * @param records measured records
   * @param rate offered records per second; {@code Double.POSITIVE_INFINITY} for as fast as the producer goes
   * @param checkpointInterval the job's checkpoint interval (a duration such as {@code 1s})
   * @param batchSize the job's micro-batch size
   * @param batchTimeout the job's micro-batch timeout (a duration such as {@code 10ms})
   * @param flowSteps training steps of the model (when none is given)
   * @param model an existing model artifact to serve, fed its own samples; null to train one on shuttle
   * @param dataDir directory of the bundled CSVs
   * @param doc the markdown document whose {@code e2e} region is rewritten; null to only log the result
   */
  record Options(int records, double rate, String checkpointInterval, int batchSize, String batchTimeout,
      int flowSteps, Path model, Path dataDir, Path doc) {

    private static final String UNLIMITED = "max";
    private static final String NONE = "none";
    private static final Set<String> OPTIONAL = Set.of("--model");

    static Options parse(String[] args) {
      Map<String, String> values = new LinkedHashMap<>(Map.of("--records", "20000", "--rate", UNLIMITED,
          "--checkpoint-interval", "1s", "--batch-size", "256", "--batch-timeout", "10ms", "--flow-steps", "150",
          "--data-dir", "datasets", "--doc", "docs/benchmarks.md"));
      for (int i = 0; i < args.length; i += 2) {
        if (!(values.containsKey(args[i]) || OPTIONAL.contains(args[i])) || i + 1 >= args.length) {
          throw new IllegalArgumentException("unknown option or missing value at '" + args[i] + "'; options: "
              + values.keySet() + " " + OPTIONAL);
        }
        values.put(args[i], args[i + 1]);
      }
      Options options = new Options(positive(values, "--records"), rate(values.get("--rate")),
          values.get("--checkpoint-interval"), positive(values, "--batch-size"), values.get("--batch-timeout"),
          positive(values, "--flow-steps"), values.containsKey("--model") ? Path.of(values.get("--model")) : null,
          Path.of(values.get("--data-dir")), NONE.equals(values.get("--doc")) ? null : Path.of(values.get("--doc")));
      // The job's own rules for its flags (durations, ranges, checkpoint interval vs transaction timeout, --model a
      // directory), checked before minutes of training rather than after; without --model any existing directory
      // stands in for the model that will be trained.
      Path modelDir = options.model() != null ? options.model() : Path.of(System.getProperty("java.io.tmpdir"));
      JobConfig.parse(options.jobFlags(modelDir.toString(), "localhost:9092", "validation"));
      return options;
    }

    /** The job's flags for this run. */
    String[] jobFlags(String modelDir, String bootstrapServers, String runId) {
      return new String[] {"--model", modelDir, "--bootstrap-servers", bootstrapServers, "--starting-offsets",
          "earliest", "--checkpoint-interval", checkpointInterval, "--batch-size", Integer.toString(batchSize),
          "--batch-timeout", batchTimeout, "--group-id", "e2e-" + runId, "--transactional-id-prefix", "e2e-" + runId};
    }

    /** Whether records are produced as fast as the producer goes rather than at an offered rate. */
    boolean unpaced() {
      return rate == Double.POSITIVE_INFINITY;
    }

    private static int positive(Map<String, String> values, String flag) {
      String text = values.get(flag);
      try {
        int value = Integer.parseInt(text);
        if (value >= 1) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(flag + " must be a whole number >= 1, got '" + text + "'");
    }

    private static double rate(String text) {
      if (UNLIMITED.equals(text)) {
        return Double.POSITIVE_INFINITY;
      }
      try {
        double rate = Double.parseDouble(text);
        if (rate > 0 && Double.isFinite(rate)) {
          return rate;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException("--rate must be records per second (a number > 0) or '" + UNLIMITED
          + "' for as fast as the producer goes, got '" + text + "'");
    }
  }

  /**
   * What is loaded into the job.
   *
   * @param model the artifact directory the job serves
   * @param description the model, for the report
   * @param input what the rows are, for the report
   * @param rows the input rows, cycled through
   */
  record Workload(Path model, String description, String input, double[][] rows) {}

  /**
   * What one load run measured.
   *
   * @param records measured records produced
   * @param scored of those, records that reached the scores topic
   * @param deadLetters of those, records that reached the dead-letter topic
   * @param produceSeconds wall time the producer took to hand over every measured record (acks included)
   * @param sinkRecordsPerSecond scored records per second between the first and last sink write
   * @param endToEndRecordsPerSecond measured records per second from the first produce to the last visible output
   * @param toSinkWrite produce → sink write latencies (ms)
   * @param toVisible produce → read_committed visible latencies (ms)
   */
  record Result(int records, int scored, int deadLetters, double produceSeconds, double sinkRecordsPerSecond,
      double endToEndRecordsPerSecond, LatencySummary toSinkWrite, LatencySummary toVisible) {}

  private EndToEndLoad() {}

  /** Runs the benchmark and rewrites the doc's {@code e2e} region; exit code 1 on failure, 2 on a bad flag. */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("end-to-end load: " + e.getMessage());
      System.exit(2);
      return;
    }
    Workload workload = options.model() == null ? trainOnShuttle(options) : givenModel(options.model());
    Result result = measure(options, workload.model(), workload.rows());
    String markdown = markdown(options, workload, result);
    if (options.doc() != null) {
      GeneratedSections.replaceInFile(options.doc(), "e2e", markdown);
    }
    LOG.info("end-to-end load:\n{}", markdown);
    System.exit(result.scored() + result.deadLetters() == result.records() ? 0 : 1);
  }

  /** An ImpFlow trained on shuttle's clean split (seed 1), fed the split's test rows. */
  private static Workload trainOnShuttle(Options options) throws Exception {
    Path work = Files.createTempDirectory("impflow-e2e");
    Dataset shuttle = new CsvDataSource(options.dataDir().resolve("shuttle.csv"), DataReadOptions.defaults()).read();
    SplitProtocol.Split split = SplitProtocol.CLEAN.split(shuttle, 1);
    FlowMethod impflow = QualitySuite.impflow();
    Path model = work.resolve("model");
    impflow.train(split.train().withoutLabels(), 1, model, "--max-steps", String.valueOf(options.flowSteps()));
    return new Workload(model, String.format(Locale.ROOT, "ImpFlow %s, trained on shuttle (clean split, seed 1, %d"
        + " steps)", impflow.describe(), options.flowSteps()), "shuttle test rows", split.test().rows());
  }

  /** A given artifact, fed its own samples. */
  private static Workload givenModel(Path dir) throws Exception {
    try (DensityModel model = DensityModel.load(dir)) {
      FlowSpec spec = model.manifest().spec();
      String description = String.format(Locale.ROOT, "artifact %s (%s, d = %d, %d blocks, hidden %d × %d layers,"
          + " %s, c = %s)", model.version(), spec.architecture(), spec.dimension(), spec.blocks(), spec.hidden(),
          spec.layers(), spec.activation().toString().toLowerCase(Locale.ROOT), spec.lipschitz());
      return new Workload(dir, description, "samples drawn from the model", model.sample(SAMPLED_ROWS,
          SAMPLE_SEED));
    }
  }

  static Result measure(Options options, Path model, double[][] rows) throws Exception {
    try (KafkaCluster kafka = KafkaCluster.start()) {
      kafka.createTopics(1, INPUT, SCORES, ALERTS, DEAD_LETTERS);
      useLogAppendTime(kafka, SCORES, DEAD_LETTERS);
      String run = UUID.randomUUID().toString();
      JobConfig config = JobConfig.parse(options.jobFlags(model.toString(), kafka.bootstrapServers(), run));
      KafkaWiring wiring = new KafkaWiring(config);
      AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
          wiring.deadLetters());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      job.build(env);
      JobClient client = env.executeAsync("impflow end-to-end load");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
          KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("e2e-reader-" + run))) {
        List<TopicPartition> outputs = List.of(new TopicPartition(SCORES, 0), new TopicPartition(DEAD_LETTERS, 0));
        consumer.assign(outputs);
        consumer.seekToBeginning(outputs);
        awaitRunning(client);
        Collector warmUp = new Collector("w", WARM_UP_RECORDS);
        produce(producer, "w", WARM_UP_RECORDS, rows, Double.POSITIVE_INFINITY);
        warmUp.drain(consumer);
        LOG.info("warm-up: {} of {} records through the job", warmUp.seen(), WARM_UP_RECORDS);

        Collector measured = new Collector("m", options.records());
        long produceStart = System.currentTimeMillis();
        AtomicLong produceMillis = new AtomicLong();
        Thread producing = new Thread(() -> produceMillis.set(produce(producer, "m", options.records(), rows,
            options.rate())), "e2e-producer");
        producing.start();
        measured.drain(consumer);
        producing.join();
        return measured.result(produceStart, produceMillis.get());
      } finally {
        client.cancel().get(1, TimeUnit.MINUTES);
      }
    }
  }

  /**
   * Produces {@code count} FeatureVectors stamped with their send time, at {@code rate} records/s (infinite: as fast
   * as the producer accepts them); returns the milliseconds until every one was acknowledged.
   */
  private static long produce(KafkaProducer<byte[], byte[]> producer, String prefix, int count, double[][] rows,
      double rate) {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    long start = System.currentTimeMillis();
    RatePacer pacer = RatePacer.startingNow(rate);
    for (int i = 0; i < count; i++) {
      pacer.awaitTurn(i);
      double[] row = rows[i % rows.length];
      List<Double> features = new ArrayList<>(row.length);
      for (double v : row) {
        features.add(v);
      }
      String id = prefix + i;
      FeatureVector vector = FeatureVector.newBuilder().setId(id).setTimestamp(Instant.now()).setFeatures(features)
          .build();
      producer.send(new ProducerRecord<>(INPUT, id.getBytes(StandardCharsets.UTF_8), codec.encode(vector)));
    }
    producer.flush();
    return System.currentTimeMillis() - start;
  }

  /** Reads the output topics until every record with its id prefix has arrived (or the timeout passes). */
  private static final class Collector {
    private final String prefix;
    private final int expected;
    private final long[] toSinkWrite;
    private final long[] toVisible;
    private final SingleObjectCodec<ScoredEvent> scores =
        SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
    private int scored;
    private int deadLetters;
    private long firstWrite = Long.MAX_VALUE;
    private long lastWrite = Long.MIN_VALUE;
    private long lastVisible;

    Collector(String prefix, int expected) {
      this.prefix = prefix;
      this.expected = expected;
      this.toSinkWrite = new long[expected];
      this.toVisible = new long[expected];
    }

    int seen() {
      return scored + deadLetters;
    }

    void drain(KafkaConsumer<byte[], byte[]> consumer) {
      long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
      while (seen() < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
          long now = System.currentTimeMillis();
          String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
          if (!key.startsWith(prefix)) {
            continue;
          }
          if (record.topic().equals(DEAD_LETTERS)) {
            deadLetters++;
            continue;
          }
          ScoredEvent event = scores.decode(record.value());
          long produced = event.getTimestamp().toEpochMilli();
          toSinkWrite[scored] = record.timestamp() - produced;
          toVisible[scored] = now - produced;
          firstWrite = Math.min(firstWrite, record.timestamp());
          lastWrite = Math.max(lastWrite, record.timestamp());
          lastVisible = now;
          scored++;
        }
      }
      if (seen() < expected) {
        throw new IllegalStateException("only " + seen() + " of " + expected + " '" + prefix + "' records reached the"
            + " output topics within " + TIMEOUT + "; see the job's log");
      }
    }

    Result result(long produceStart, long produceMillis) {
      long[] sink = Arrays.copyOf(toSinkWrite, scored);
      long[] visible = Arrays.copyOf(toVisible, scored);
      return new Result(expected, scored, deadLetters, produceMillis / 1e3,
          (scored - 1) * 1e3 / Math.max(1, lastWrite - firstWrite),
          expected * 1e3 / Math.max(1, lastVisible - produceStart), LatencySummary.of(sink),
          LatencySummary.of(visible));
    }
  }

  private static void awaitRunning(JobClient client) throws Exception {
    long deadline = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
    while (client.getJobStatus().get() != JobStatus.RUNNING) {
      if (System.currentTimeMillis() > deadline || client.getJobStatus().get().isGloballyTerminalState()) {
        throw new IllegalStateException("the job did not reach RUNNING within 2 minutes (status "
            + client.getJobStatus().get() + ")");
      }
      Thread.sleep(100);
    }
  }

  /** Lets the broker stamp output records with their append time: the moment the job's write lands. */
  private static void useLogAppendTime(KafkaCluster kafka, String... topics) throws Exception {
    Properties properties = new Properties();
    properties.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(properties)) {
      Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
      for (String topic : topics) {
        changes.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
            new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), AlterConfigOp.OpType.SET)));
      }
      admin.incrementalAlterConfigs(changes).all().get(1, TimeUnit.MINUTES);
    }
  }

  static String markdown(Options options, Workload workload, Result r) {
    StringBuilder md = new StringBuilder();
    String pace = options.unpaced() ? "as fast as it goes"
        : String.format(Locale.ROOT, "at an offered rate of %,.0f records/s", options.rate());
    md.append(String.format(Locale.ROOT, "%,d %s (raw FeatureVectors, single-object Avro) produced by one producer"
        + " (idempotent, acks=all) %s, after %d warm-up records, through the job on an embedded MiniCluster"
        + " (parallelism 1, micro-batches of %d%s, checkpoint interval %s, exactly-once sinks) against one KRaft broker"
        + " process on the same machine. Model: %s.%n%n", r.records(), workload.input(), pace, WARM_UP_RECORDS,
        options.batchSize(), "10ms".equals(options.batchTimeout()) ? "" : " or " + options.batchTimeout(),
        options.checkpointInterval(), workload.description()));
    md.append("| measure | value |\n|---|---:|\n");
    md.append(String.format(Locale.ROOT, "| producer hand-over rate | %,.0f records/s |%n",
        r.records() / r.produceSeconds()));
    md.append(String.format(Locale.ROOT, "| sustained scoring rate (first to last sink write) | %,.0f records/s |%n",
        r.sinkRecordsPerSecond()));
    md.append(String.format(Locale.ROOT, "| end to end (first produce to last read_committed record) | %,.0f"
        + " records/s |%n", r.endToEndRecordsPerSecond()));
    md.append(String.format(Locale.ROOT, "| produce → sink write, p50 / p99 / max | %,d / %,d / %,d ms |%n",
        r.toSinkWrite().p50(), r.toSinkWrite().p99(), r.toSinkWrite().max()));
    md.append(String.format(Locale.ROOT, "| produce → read_committed visible, p50 / p99 / max | %,d / %,d / %,d ms |%n",
        r.toVisible().p50(), r.toVisible().p99(), r.toVisible().max()));
    md.append(String.format(Locale.ROOT, "| records scored / dead-lettered / produced | %,d / %,d / %,d |%n",
        r.scored(), r.deadLetters(), r.records()));
    if (options.unpaced()) {
      md.append("\nThe producer outruns the job, so records queue in the input topic: the latencies are mostly"
          + " queueing behind the backlog, i.e. what a burst of this size costs, not the latency at a sustainable"
          + " rate.");
    } else if (r.sinkRecordsPerSecond() < KEPT_UP * options.rate()) {
      md.append("\nThe job scored slower than the offered rate, so records queued in the input topic: the latencies"
          + " include that growing backlog.");
    } else {
      md.append("\nThe job kept up with the offered rate (sustained scoring rate within 5 % of it), so the latencies"
          + " are those of a sustainable load, not of a backlog.");
    }
    md.append(" read_committed visibility adds the wait for the checkpoint that commits the sink transaction.\n");
    return md.toString();
  }
}
