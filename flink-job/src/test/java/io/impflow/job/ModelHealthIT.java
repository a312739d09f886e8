package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.JobConfig;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model health end to end: a real KRaft broker process, the job on its own embedded MiniCluster configured exactly as
 * {@code ./impflow job} configures it (Prometheus reporter on {@code --metrics-port}), a real model. A stream like
 * the calibration rows and then a shifted one: read_committed {@code model-health} flags the shifted windows and
 * not the others, and the Prometheus endpoint serves the job's metrics over HTTP.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModelHealthIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  /** Long enough that A, scored while the job warms up, still fills a window of {@link #MIN_RECORDS} records. */
  private static final long WINDOW_MILLIS = 3000;
  private static final double DRIFT_THRESHOLD = 0.15;
  private static final int MIN_RECORDS = 300;
  /** How far stream B's normal behaviour has moved, in standard deviations of every feature. */
  private static final double SHIFT_SIGMAS = 1.5;
  private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)\\} (\\S+)$");

  @TempDir
  static Path dir;
  static Path model;
  static String version;

  private final SingleObjectCodec<FeatureVector> vectors =
      SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());

  @BeforeAll
  static void writeModel() throws Exception {
    model = TestModels.writeCalibratedModel(dir, 3);
    try (DensityModel m = DensityModel.load(model)) {
      version = m.version();
    }
  }

  @Test
  void aShiftedStreamIsFlaggedAsDriftAndEveryMetricIsScrapedOverHttp() throws Exception {
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, "drift-events");
    kafka.createTopics(1, "drift-scores", "drift-alerts", "drift-dead-letters", "drift-model-health");
    int metricsPort = freePort();
    JobConfig config = JobConfig.parse("--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--input-topic", "drift-events", "--scores-topic", "drift-scores", "--alerts-topic", "drift-alerts",
        "--dead-letters-topic", "drift-dead-letters", "--model-health-topic", "drift-model-health",
        "--health-window", WINDOW_MILLIS + "ms", "--drift-threshold", Double.toString(DRIFT_THRESHOLD),
        "--drift-min-records", Integer.toString(MIN_RECORDS), "--metrics-port", Integer.toString(metricsPort),
        "--web-port", Integer.toString(freePort()), "--starting-offsets", "earliest", "--checkpoint-interval",
        "300ms", "--parallelism", "2", "--group-id", "it-" + UUID.randomUUID(), "--transactional-id-prefix",
        "it-" + UUID.randomUUID());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), null, wiring.scores(),
        wiring.alerts(), wiring.deadLetters(), wiring.modelHealth());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(AnomalyDetectionJob.localConfiguration(config));
    job.build(env);
    JobClient client = env.executeAsync("impflow model-health IT");

    int perStream = 1500;
    int malformed = 3;
    Random random = new Random(31);
    List<ModelHealth> windows;
    String metrics;
    long boundary;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaConsumer<byte[], byte[]> scores = consumerFromStart(kafka, "drift-scores");
        KafkaConsumer<byte[], byte[]> health = consumerFromStart(kafka, "drift-model-health")) {
      // Stream A, like the rows the model was calibrated on, and a few records that are not Avro at all.
      for (int i = 0; i < perStream; i++) {
        send(producer, "a" + i, TestModels.normalRow(random));
      }
      for (int i = 0; i < malformed; i++) {
        producer.send(new ProducerRecord<>("drift-events", ("not avro " + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
      // Once A's scores are committed, so are the micro-batch summaries that preceded them to the checkpoint: every
      // one of them reached the health windows before now. Stream B starts after the next window boundary, so no
      // window mixes the two streams, however fast or slow this machine is.
      pollUntil(scores, ScoredEvent.class, read -> read.size() >= perStream);
      boundary = (System.currentTimeMillis() / WINDOW_MILLIS + 1) * WINDOW_MILLIS;
      while (System.currentTimeMillis() < boundary) {
        Thread.sleep(boundary - System.currentTimeMillis());
      }
      for (int i = 0; i < perStream; i++) {
        send(producer, "b" + i, TestModels.shiftedRow(random, SHIFT_SIGMAS));
      }
      producer.flush();
      windows = pollUntil(health, ModelHealth.class,
          read -> read.stream().mapToLong(ModelHealth::getScored).sum() >= 2L * perStream);
      metrics = scrape(metricsPort);
    } finally {
      client.cancel().get();
    }

    // Every scored record is counted in exactly one committed window, and each window once.
    assertThat(windows.stream().mapToLong(ModelHealth::getScored).sum()).isEqualTo(2L * perStream);
    assertThat(windows.stream().map(ModelHealth::getWindowStart).distinct().count()).isEqualTo(windows.size());
    List<ModelHealth> a = windows.stream().filter(w -> w.getWindowEnd().toEpochMilli() <= boundary)
        .collect(Collectors.toList());
    List<ModelHealth> b = windows.stream().filter(w -> w.getWindowStart().toEpochMilli() >= boundary)
        .collect(Collectors.toList());
    assertThat(a.size() + b.size()).as("no window straddles the boundary").isEqualTo(windows.size());
    assertThat(a.stream().mapToLong(ModelHealth::getScored).sum()).isEqualTo(perStream);
    assertThat(b.stream().mapToLong(ModelHealth::getScored).sum()).isEqualTo(perStream);
    for (ModelHealth w : windows) {
      assertThat(w.getModelVersion()).isEqualTo(version);
      assertThat(w.getWindowEnd().toEpochMilli() - w.getWindowStart().toEpochMilli()).isEqualTo(WINDOW_MILLIS);
      assertThat(w.getTargetFpr()).isEqualTo(0.01);
      assertThat(w.getDriftThreshold()).isEqualTo(DRIFT_THRESHOLD);
      assertThat(w.getFinite()).isEqualTo(w.getScored());
      assertThat(w.getAlertRate()).isEqualTo((double) w.getAlerts() / w.getScored());
      assertThat(w.getDrift()).isEqualTo(w.getScored() >= MIN_RECORDS
          && w.getUniformityStatistic() > DRIFT_THRESHOLD);
    }
    // A is like the calibration rows: its p-values are near uniform and nothing is flagged.
    assertThat(a).noneMatch(ModelHealth::getDrift);
    assertThat(a).filteredOn(w -> w.getScored() >= MIN_RECORDS).isNotEmpty()
        .allSatisfy(w -> assertThat(w.getUniformityStatistic()).isLessThan(DRIFT_THRESHOLD));
    // B has moved: every window of B with enough records is flagged, the first of them included.
    assertThat(b).filteredOn(w -> w.getScored() >= MIN_RECORDS).isNotEmpty().allMatch(ModelHealth::getDrift);
    assertThat(mean(b, ModelHealth::getMeanLogLikelihood)).isLessThan(mean(a, ModelHealth::getMeanLogLikelihood));
    assertThat(rate(b)).isGreaterThan(rate(a));
    assertThat(rate(a)).isLessThan(0.05);
    System.out.printf("impflow model-health IT: A windows %s%n  B windows %s%n", summary(a), summary(b));

    // The Prometheus endpoint: the scored counter, dead letters by reason, batch latency, the serving version and
    // the drift gauges of the version, with the values the job wrote.
    metrics.lines().filter(line -> !line.startsWith("#")).filter(line -> line.contains("_operator_model_")
        || line.contains("_operator_recordsScored") || line.contains("_servingModel_"))
        .forEach(line -> System.out.println("impflow model-health IT: " + line));
    List<String[]> samples = metrics.lines().map(SAMPLE::matcher).filter(Matcher::matches)
        .map(m -> new String[] {m.group(1), m.group(2), m.group(3)}).collect(Collectors.toList());
    assertThat(sum(samples, "_operator_recordsScored", "")).isEqualTo(2.0 * perStream);
    assertThat(sum(samples, "_operator_reason_deadLetters", "reason=\"MALFORMED_AVRO\"")).isEqualTo(malformed);
    assertThat(sum(samples, "_operator_servingModel_serving", "servingModel=\"" + version + "\""))
        .as("one serving gauge per scoring subtask").isEqualTo(2.0);
    assertThat(samples).anyMatch(s -> s[0].endsWith("_operator_scoringLatencyMicros")
        && s[1].contains("quantile=\"0.5\"") && Double.parseDouble(s[2]) > 0);
    ModelHealth last = windows.stream().max(Comparator.comparing(ModelHealth::getWindowStart)).orElseThrow();
    String ofVersion = "model=\"" + version + "\"";
    assertThat(sum(samples, "_operator_model_driftWindows", ofVersion))
        .isEqualTo(windows.stream().filter(ModelHealth::getDrift).count());
    assertThat(sum(samples, "_operator_model_drift", ofVersion)).isEqualTo(last.getDrift() ? 1.0 : 0.0);
    assertThat(sum(samples, "_operator_model_uniformityStatistic", ofVersion))
        .isEqualTo(last.getUniformityStatistic());
    assertThat(sum(samples, "_operator_model_windowScored", ofVersion)).isEqualTo(last.getScored());
  }

  @Test
  void aBoundedReplayWritesItsLastOpenWindowAtTheEndOfInput() throws Exception {
    int n = 700;
    Random random = new Random(77);
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add(encode("r" + i, TestModels.shiftedRow(random, 2 * SHIFT_SIGMAS)));
    }
    DataGeneratorSource<RawRecord> source = new DataGeneratorSource<>(
        index -> new RawRecord("replay", 0, index, 0L, null, values.get((int) (long) index)), n,
        TypeInformation.of(RawRecord.class));
    CollectingSink<ModelHealth> health = new CollectingSink<>("replay-model-health");
    // A window of an hour: the clock cannot close it while the test runs, only the end of the input can.
    JobConfig config = JobConfig.parse("--model", model.toString(), "--health-window", "1h", "--batch-size", "64",
        "--checkpoint-interval", "200ms", "--web-port", Integer.toString(freePort()));
    new AnomalyDetectionJob(config, source, null, new CollectingSink<>("replay-scores"),
        new CollectingSink<>("replay-alerts"), new CollectingSink<>("replay-dead-letters"), health)
        .execute(StreamExecutionEnvironment.createLocalEnvironment(AnomalyDetectionJob.localConfiguration(config)));
    long finished = System.currentTimeMillis();

    List<ModelHealth> windows = health.collected();
    assertThat(windows.stream().mapToLong(ModelHealth::getScored).sum()).isEqualTo(n);
    assertThat(windows).as("the window still open when the job finished").isNotEmpty()
        .anyMatch(w -> w.getWindowEnd().toEpochMilli() > finished);
    for (ModelHealth window : windows) {
      assertThat(window.getWindowEnd().toEpochMilli() - window.getWindowStart().toEpochMilli())
          .isEqualTo(Duration.ofHours(1).toMillis());
      // Far-shifted rows: flagged wherever the window has the default minimum of 500 records.
      assertThat(window.getDrift()).isEqualTo(window.getScored() >= 500);
    }
  }

  private void send(KafkaProducer<byte[], byte[]> producer, String id, double[] row) {
    producer.send(new ProducerRecord<>("drift-events", id.getBytes(StandardCharsets.UTF_8), encode(id, row)));
  }

  private byte[] encode(String id, double[] row) {
    return vectors.encode(FeatureVector.newBuilder().setId(id).setTimestamp(Instant.now())
        .setFeatures(Arrays.stream(row).boxed().collect(Collectors.toList())).build());
  }

  private static KafkaConsumer<byte[], byte[]> consumerFromStart(KafkaCluster kafka, String topic) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("it-health-reader-" + UUID.randomUUID()));
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  /** Reads committed records of the consumer's topic until {@code done} holds for all read so far. */
  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> pollUntil(
      KafkaConsumer<byte[], byte[]> consumer, Class<T> type, Predicate<List<T>> done) {
    SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type, SchemaStore.withGeneratedSchemas());
    List<T> read = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!done.test(read)) {
      assertThat(System.nanoTime()).as("%s records before the deadline (%d so far)", type.getSimpleName(),
          read.size()).isLessThan(deadline);
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        read.add(codec.decode(record.value()));
      }
    }
    return read;
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The sum of the samples whose name ends with {@code suffix} and whose labels contain {@code label}. */
  private static double sum(List<String[]> samples, String suffix, String label) {
    List<String[]> matching = samples.stream().filter(s -> s[0].endsWith(suffix) && s[1].contains(label))
        .collect(Collectors.toList());
    assertThat(matching).as("samples of *%s{%s}", suffix, label).isNotEmpty();
    return matching.stream().mapToDouble(s -> Double.parseDouble(s[2])).sum();
  }

  private static double mean(List<ModelHealth> windows, java.util.function.ToDoubleFunction<ModelHealth> value) {
    double weighted = windows.stream().mapToDouble(w -> value.applyAsDouble(w) * w.getFinite()).sum();
    return weighted / windows.stream().mapToLong(ModelHealth::getFinite).sum();
  }

  private static double rate(List<ModelHealth> windows) {
    return (double) windows.stream().mapToLong(ModelHealth::getAlerts).sum()
        / windows.stream().mapToLong(ModelHealth::getScored).sum();
  }

  private static String summary(List<ModelHealth> windows) {
    return windows.stream().map(w -> String.format("[n=%d ks=%.3f meanLL=%.2f alerts=%.3f drift=%s]", w.getScored(),
        w.getUniformityStatistic(), w.getMeanLogLikelihood(), w.getAlertRate(), w.getDrift()))
        .collect(Collectors.joining(" "));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
