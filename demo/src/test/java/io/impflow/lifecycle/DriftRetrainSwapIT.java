package io.impflow.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.WhiteningMethod;
import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingProgress;
import io.impflow.trainer.fit.TrainingRun;
import io.impflow.trainer.fit.TrainingSettings;
import io.impflow.trainer.retrain.DriftLoop;
import io.impflow.trainer.retrain.DriftTrigger;
import io.impflow.trainer.retrain.GateSettings;
import io.impflow.trainer.retrain.HealthTopicWatch;
import io.impflow.trainer.retrain.RetrainDecision;
import io.impflow.trainer.retrain.RetrainOptions;
import io.impflow.trainer.retrain.Retrainer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 acceptance 1, the whole loop with real parts: a KRaft broker process, the job on an embedded MiniCluster
 * with hot swap and model health, a model fitted to stream A and published to a store, and the trainer's
 * {@code retrain --on-drift} loop ({@link DriftLoop}) reading the job's health records. Stream A, then a shifted
 * stream B: B's windows are flagged as drift, the retrain reads B from the input topic, its candidate passes the gate
 * and is stored and announced, and the job swaps to it. Read {@code read_committed}: every input record is scored or
 * dead-lettered exactly once across the swap, every score names a version the store published, and fresh B records
 * sent after the swap are flagged at about the target false-positive rate again.
 *
 * <p>It lives in the demo module because that is where the trainer (retrain) and the job are both on the classpath;
 * {@code flink-job} must not depend on the trainer.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DriftRetrainSwapIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  private static final List<String> FEATURES = List.of("temperature", "humidity", "pressure", "count");
  private static final double[] MEAN = {21.0, 0.45, 1013.0, 50.0};
  private static final double[] SCALE = {2.0, 0.05, 8.0, 7.0};
  /** Stream B: A's normal behaviour moved by this many standard deviations on every feature. */
  private static final double SHIFT_SIGMAS = 1.5;
  private static final double TARGET_FPR = 0.05;
  private static final long HEALTH_WINDOW_MILLIS = 2000;
  private static final double DRIFT_THRESHOLD = 0.2;
  private static final int DRIFT_MIN_RECORDS = 300;
  private static final int A_RECORDS = 1500;
  private static final int B_RECORDS = 2500;
  private static final int B_AFTER_SWAP = 2000;
  private static final int MALFORMED_PER_PHASE = 2;

  @TempDir
  Path dir;

  private final SingleObjectCodec<FeatureVector> vectors =
      SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
  private final Random random = new Random(12);
  private final Map<String, Boolean> sent = new HashMap<>();
  private int malformed;

  @Test
  void driftOnAShiftedStreamIsRetrainedGatedPublishedAndSwappedExactlyOnce() throws Exception {
    // A model fitted to stream A's distribution (tiny settings; retrain reuses them), published to a store.
    ModelStore store = ModelStore.open(dir.resolve("store").toUri().toString());
    ModelStore.Publication serving = store.publish(trainOnA(dir.resolve("a-model")));
    store.setLatest(serving.version());

    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, "events");
    kafka.createTopics(1, "scores", "alerts", "dead-letters", "model-updates", "model-health");
    JobConfig config = JobConfig.parse("--model", Path.of(serving.uri()).toString(),
        "--model-root", store.root().toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--model-updates-topic", "model-updates", "--health-window", HEALTH_WINDOW_MILLIS + "ms",
        "--drift-threshold", Double.toString(DRIFT_THRESHOLD), "--drift-min-records",
        Integer.toString(DRIFT_MIN_RECORDS), "--starting-offsets", "earliest", "--checkpoint-interval", "300ms",
        "--web-port", Integer.toString(freePort()), "--group-id", "it-" + UUID.randomUUID(),
        "--transactional-id-prefix", "it-" + UUID.randomUUID());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.modelUpdates(),
        wiring.scores(), wiring.alerts(), wiring.deadLetters(), wiring.modelHealth());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(AnomalyDetectionJob.localConfiguration(config));
    job.build(env);
    JobClient client = env.executeAsync("impflow drift-retrain-swap IT");

    Path report = dir.resolve("retrain.json");
    RetrainOptions retrain = new RetrainOptions(kafka.bootstrapServers(), "events", null, B_RECORDS,
        store.root().toString(), null, 0.2, GateSettings.DEFAULTS, "model-updates", Map.of(), null, 0, DeviceOption.CPU,
        null, null, null, null, report);
    Retrainer retrainer = new Retrainer(retrain, Clock.systemUTC());
    List<ScoredEvent> scores = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    List<ModelHealth> health = new ArrayList<>();
    Set<String> afterSwap = new HashSet<>();
    RetrainDecision decision;
    long boundary;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaConsumer<byte[], byte[]> scoresIn = fromStart(kafka, "scores");
        KafkaConsumer<byte[], byte[]> deadIn = fromStart(kafka, "dead-letters");
        KafkaConsumer<byte[], byte[]> healthIn = fromStart(kafka, "model-health")) {
      Reader reader = new Reader(scoresIn, deadIn, healthIn, scores, deadLetters, health);

      // Stream A, like the serving model's training rows.
      sendPhase(producer, "a", A_RECORDS, 0);
      reader.until(() -> scores.size() >= A_RECORDS, "stream A scored");
      // Every batch summary of A preceded A's committed scores to the health windows; B starts after the next window
      // boundary, so no window mixes the streams.
      boundary = (System.currentTimeMillis() / HEALTH_WINDOW_MILLIS + 1) * HEALTH_WINDOW_MILLIS;
      Thread.sleep(Math.max(0, boundary - System.currentTimeMillis()));

      // Stream B: normal behaviour has moved. The retrain loop waits for the job's drift report and then retrains.
      long bStart = System.currentTimeMillis();
      sendPhase(producer, "b", B_RECORDS, SHIFT_SIGMAS);
      List<RetrainDecision> decisions = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      try (HealthTopicWatch watch = new HealthTopicWatch(kafka.bootstrapServers(),
          Map.of("auto.offset.reset", "earliest", "group.id", "it-retrain-" + UUID.randomUUID()), "model-health")) {
        int retrains = DriftLoop.run(retrainer, watch, new DriftTrigger(),
            () -> decisions.isEmpty() && System.nanoTime() < deadline, decisions::add);
        assertThat(retrains).as("retrains started by drift").isEqualTo(1);
      }
      System.out.printf("impflow drift IT: retrain decided %.1f s after stream B started%n",
          (System.currentTimeMillis() - bStart) / 1e3);
      decision = decisions.get(0);
      System.out.println("impflow drift IT: " + decision.summary());
      assertThat(decision.published()).as(decision.summary()).isTrue();
      assertThat(decision.announced()).isTrue();

      // Probes of B until the job scores with the new model; then fresh B records, all after the swap.
      int probes = 0;
      while (scores.stream().noneMatch(s -> s.getModelVersion().equals(decision.candidateVersion()))) {
        assertThat(probes).as("probe records before the swap shows").isLessThan(2000);
        sendPhase(producer, "probe" + probes + "-", 20, SHIFT_SIGMAS);
        probes += 20;
        reader.poll();
      }
      int before = scores.size();
      for (int i = 0; i < B_AFTER_SWAP; i++) {
        afterSwap.add(send(producer, "fresh-b" + i, SHIFT_SIGMAS));
      }
      sendMalformed(producer);
      producer.flush();
      int expected = sent.size();
      reader.until(() -> scores.size() >= expected && deadLetters.size() >= malformed, "every record accounted for");
      assertThat(scores.size()).isGreaterThan(before);
      // the health windows of everything scored so far: those of B after the swap are written a window later
      reader.until(() -> health.stream().mapToLong(ModelHealth::getScored).sum() >= expected,
          "health windows of every scored record");
    } finally {
      client.cancel().get();
    }

    // Stored and announced: the candidate is in the store, latest, and its ModelUpdate matches.
    ModelStore reopened = ModelStore.open(store.root().toString());
    assertThat(reopened.latest()).contains(decision.candidateVersion());
    Set<String> published = reopened.versions().stream().map(ModelStore.StoredVersion::version)
        .collect(Collectors.toSet());
    assertThat(published).containsExactlyInAnyOrder(serving.version(), decision.candidateVersion());
    List<ModelUpdate> updates = readAll(kafka, "model-updates", ModelUpdate.class);
    assertThat(updates).hasSize(1);
    assertThat(updates.get(0).getVersion()).isEqualTo(decision.candidateVersion());
    assertThat(updates.get(0).getSha256()).isEqualTo(reopened.storedManifestSha256(decision.candidateVersion()));
    assertThat(decision.gate().candidateMeanLogLikelihood()).isGreaterThan(decision.gate().servingMeanLogLikelihood());
    assertThat(report).exists();

    // Exactly once across the swap: every input position is in exactly one of scores and dead letters.
    Map<String, Integer> outputs = new HashMap<>();
    scores.forEach(s -> outputs.merge(position(s.getSource()), 1, Integer::sum));
    deadLetters.forEach(d -> outputs.merge(position(d.getSource()), 1, Integer::sum));
    assertThat(outputs.values()).as("outputs per input record").allMatch(n -> n == 1);
    assertThat(outputs.keySet()).isEqualTo(inputPositions(kafka));
    assertThat(scores).hasSize(sent.size());
    assertThat(scores.stream().map(ScoredEvent::getId).collect(Collectors.toSet())).isEqualTo(sent.keySet());
    assertThat(deadLetters).hasSize(malformed);
    // Every score names a published version; per partition the old version, then the new one, never back.
    assertThat(scores).allMatch(s -> published.contains(s.getModelVersion()));
    for (int partition = 0; partition < 2; partition++) {
      int p = partition;
      List<String> versions = scores.stream().filter(s -> s.getSource().getPartition() == p)
          .sorted((x, y) -> Long.compare(x.getSource().getOffset(), y.getSource().getOffset()))
          .map(ScoredEvent::getModelVersion).collect(Collectors.toList());
      int firstNew = versions.indexOf(decision.candidateVersion());
      assertThat(firstNew).as("partition %d swapped", p).isPositive();
      assertThat(versions.subList(0, firstNew)).containsOnly(serving.version());
      assertThat(versions.subList(firstNew, versions.size())).containsOnly(decision.candidateVersion());
    }

    // Drift: A's windows are not flagged; the first window of B with enough records is, so drift shows within the
    // configured window; after the swap the new version's windows are not flagged.
    List<ModelHealth> servingWindows = health.stream()
        .filter(h -> h.getModelVersion().equals(serving.version())).collect(Collectors.toList());
    List<ModelHealth> aWindows = servingWindows.stream()
        .filter(h -> h.getWindowEnd().toEpochMilli() <= boundary).collect(Collectors.toList());
    List<ModelHealth> bWindows = servingWindows.stream()
        .filter(h -> h.getWindowStart().toEpochMilli() >= boundary).collect(Collectors.toList());
    assertThat(aWindows.size() + bWindows.size()).as("no window mixes A and B").isEqualTo(servingWindows.size());
    assertThat(aWindows.stream().mapToLong(ModelHealth::getScored).sum()).isEqualTo(A_RECORDS);
    assertThat(aWindows).noneMatch(ModelHealth::getDrift);
    ModelHealth firstFull = bWindows.stream().filter(h -> h.getScored() >= DRIFT_MIN_RECORDS)
        .min((x, y) -> x.getWindowStart().compareTo(y.getWindowStart())).orElseThrow();
    assertThat(firstFull.getDrift()).as("the first full window of B is flagged").isTrue();
    assertThat(bWindows).filteredOn(h -> h.getScored() >= DRIFT_MIN_RECORDS).allMatch(ModelHealth::getDrift);
    List<ModelHealth> newWindows = health.stream()
        .filter(h -> h.getModelVersion().equals(decision.candidateVersion())).collect(Collectors.toList());
    assertThat(newWindows).filteredOn(h -> h.getScored() >= DRIFT_MIN_RECORDS).isNotEmpty()
        .noneMatch(ModelHealth::getDrift);
    System.out.printf("impflow drift IT: B started at %s; first full window of B %s..%s flagged (n=%d, KS %.3f)%n",
        Instant.ofEpochMilli(boundary), firstFull.getWindowStart(), firstFull.getWindowEnd(), firstFull.getScored(),
        firstFull.getUniformityStatistic());

    // After the swap the alert rate on fresh B records is back near the target.
    List<ScoredEvent> fresh = scores.stream().filter(s -> afterSwap.contains(s.getId())).collect(Collectors.toList());
    assertThat(fresh).hasSize(B_AFTER_SWAP).allMatch(s -> s.getModelVersion().equals(decision.candidateVersion()));
    double freshRate = fresh.stream().filter(ScoredEvent::getIsAnomaly).count() / (double) fresh.size();
    double oldRate = scores.stream().filter(s -> s.getId().startsWith("b"))
        .filter(ScoredEvent::getIsAnomaly).count() / (double) B_RECORDS;
    System.out.printf("impflow drift IT: alert rate on B: %.4f with the A model, %.4f after the swap (target %.2f)%n",
        oldRate, freshRate, TARGET_FPR);
    assertThat(oldRate).as("the A model on B").isGreaterThan(2 * TARGET_FPR);
    assertThat(freshRate).as("the retrained model on fresh B").isLessThanOrEqualTo(2 * TARGET_FPR);
  }

  /** Fits the serving model to rows of stream A with tiny settings, so every fit takes seconds. */
  private Path trainOnA(Path out) throws Exception {
    double[][] rows = new double[2000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = row(0);
    }
    // 30 % held out: 600 calibration rows keep A's p-values close to uniform (no false drift on A).
    TrainingSettings settings = new TrainingSettings(Architecture.IMPFLOW, 1, 16, 1, ActivationKind.SIN, 0.9, 20, 40,
        60, 0, 1e-3, 10, 0.99, 5, 0.3, 1, WhiteningMethod.SHRINKAGE, 1, 0.1, TARGET_FPR, 1, DataType.FLOAT32);
    TrainingRun.run(settings.request(new Dataset(FEATURES, rows, null, "stream A"), DeviceOption.CPU.resolve(0), out),
        TrainingProgress.silent(), new StopSignal());
    try (DensityModel model = DensityModel.load(out)) {
      assertThat(model.calibration().orElseThrow().targetFpr()).isEqualTo(TARGET_FPR);
    }
    return out;
  }

  private double[] row(double shiftSigmas) {
    double[] row = new double[MEAN.length];
    for (int j = 0; j < row.length; j++) {
      row[j] = MEAN[j] + SCALE[j] * (shiftSigmas + random.nextGaussian());
    }
    return row;
  }

  private void sendPhase(KafkaProducer<byte[], byte[]> producer, String prefix, int n, double shiftSigmas) {
    for (int i = 0; i < n; i++) {
      send(producer, prefix + i, shiftSigmas);
    }
    sendMalformed(producer);
    producer.flush();
  }

  private String send(KafkaProducer<byte[], byte[]> producer, String id, double shiftSigmas) {
    FeatureVector vector = FeatureVector.newBuilder().setId(id).setTimestamp(Instant.now())
        .setFeatures(Arrays.stream(row(shiftSigmas)).boxed().collect(Collectors.toList())).build();
    producer.send(new ProducerRecord<>("events", id.getBytes(StandardCharsets.UTF_8), vectors.encode(vector)));
    sent.put(id, Boolean.TRUE);
    return id;
  }

  private void sendMalformed(KafkaProducer<byte[], byte[]> producer) {
    for (int i = 0; i < MALFORMED_PER_PHASE; i++, malformed++) {
      producer.send(new ProducerRecord<>("events", ("not avro " + malformed).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static String position(SourcePosition source) {
    return source.getTopic() + "-" + source.getPartition() + "@" + source.getOffset();
  }

  /** Every position of the input topic, from its start to its end offsets. */
  private static Set<String> inputPositions(KafkaCluster kafka) {
    Set<String> positions = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("it-positions-" + UUID.randomUUID()))) {
      List<TopicPartition> partitions = List.of(new TopicPartition("events", 0), new TopicPartition("events", 1));
      Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
      consumer.endOffsets(partitions).forEach((partition, end) -> {
        for (long offset = start.get(partition); offset < end; offset++) {
          positions.add(partition.topic() + "-" + partition.partition() + "@" + offset);
        }
      });
    }
    return positions;
  }

  private static KafkaConsumer<byte[], byte[]> fromStart(KafkaCluster kafka, String topic) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("it-reader-" + UUID.randomUUID()));
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  /** Every committed record of a one-partition topic. */
  private static <T extends SpecificRecord> List<T> readAll(KafkaCluster kafka, String topic, Class<T> type) {
    SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type, SchemaStore.withGeneratedSchemas());
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = fromStart(kafka, topic)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          out.add(codec.decode(record.value()));
        }
      }
    }
    return out;
  }

  /** Reads the job's committed outputs as they arrive. */
  private static final class Reader {
    private final KafkaConsumer<byte[], byte[]> scoresIn;
    private final KafkaConsumer<byte[], byte[]> deadIn;
    private final KafkaConsumer<byte[], byte[]> healthIn;
    private final List<ScoredEvent> scores;
    private final List<DeadLetter> deadLetters;
    private final List<ModelHealth> health;
    private final SingleObjectCodec<ScoredEvent> scoreCodec =
        SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
    private final SingleObjectCodec<DeadLetter> deadCodec =
        SingleObjectCodec.forSpecific(DeadLetter.class, SchemaStore.withGeneratedSchemas());
    private final SingleObjectCodec<ModelHealth> healthCodec =
        SingleObjectCodec.forSpecific(ModelHealth.class, SchemaStore.withGeneratedSchemas());

    Reader(KafkaConsumer<byte[], byte[]> scoresIn, KafkaConsumer<byte[], byte[]> deadIn,
        KafkaConsumer<byte[], byte[]> healthIn, List<ScoredEvent> scores, List<DeadLetter> deadLetters,
        List<ModelHealth> health) {
      this.scoresIn = scoresIn;
      this.deadIn = deadIn;
      this.healthIn = healthIn;
      this.scores = scores;
      this.deadLetters = deadLetters;
      this.health = health;
    }

    void poll() {
      for (ConsumerRecord<byte[], byte[]> record : scoresIn.poll(Duration.ofMillis(100))) {
        scores.add(scoreCodec.decode(record.value()));
      }
      for (ConsumerRecord<byte[], byte[]> record : deadIn.poll(Duration.ofMillis(20))) {
        deadLetters.add(deadCodec.decode(record.value()));
      }
      for (ConsumerRecord<byte[], byte[]> record : healthIn.poll(Duration.ofMillis(20))) {
        health.add(healthCodec.decode(record.value()));
      }
    }

    void until(BooleanSupplier done, String what) {
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!done.getAsBoolean()) {
        assertThat(System.nanoTime()).as("%s before the deadline (%d scores, %d dead letters, %d health windows)",
            what, scores.size(), deadLetters.size(), health.size()).isLessThan(deadline);
        poll();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
