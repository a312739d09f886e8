package io.impflow.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.model.DensityModel;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.WhiteningMethod;
import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.serde.AvroSingleObjectDeserializer;
import io.impflow.schemas.serde.AvroSingleObjectSerializer;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingProgress;
import io.impflow.trainer.fit.TrainingRun;
import io.impflow.trainer.fit.TrainingSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 acceptance 2 on a real broker with real training: a candidate fitted to a window of mostly anomalies, or
 * with other feature names, is refused by the gate with its reason, nothing is announced and the store's latest is
 * unchanged; a candidate fitted to a window of normal data passes, is published, announced and becomes latest.
 */
// A hang guard, not a speed test.
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RetrainIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  private static final List<String> FEATURES = List.of("temperature", "humidity", "pressure", "count");
  private static final double[] MEAN = {21.0, 0.45, 1013.0, 50.0};
  private static final double[] SCALE = {2.0, 0.05, 8.0, 7.0};
  private static final int WINDOW = 1000;
  /**
   * Record timestamps start a day ago: records older than the broker's retention (7 days) are deleted by its first
   * retention check, 30 s after start-up, and a window would then find an empty topic.
   */
  private static final long BASE_TIME =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(java.time.Duration.ofDays(1)).toEpochMilli();

  @TempDir
  static Path dir;
  static Path servingArtifact;

  @BeforeAll
  static void trainServingModelAndFillTopics() throws Exception {
    Random random = new Random(5);
    double[][] rows = new double[600][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = normal(random);
    }
    // tiny settings keep every fit to seconds; retrain reuses them from the serving model's manifest
    TrainingSettings settings = new TrainingSettings(Architecture.IMPFLOW, 1, 16, 1, ActivationKind.SIN, 0.9, 20, 40,
        60, 0, 1e-3, 10, 0.99, 5, 0.1, 1, WhiteningMethod.SHRINKAGE, 1, 0.1, 0.01, 1, DataType.FLOAT32);
    servingArtifact = dir.resolve("serving");
    TrainingRun.run(settings.request(new Dataset(FEATURES, rows, null, "normal rows"),
        DeviceOption.CPU.resolve(0), servingArtifact), TrainingProgress.silent(), new StopSignal());

    KAFKA.cluster().createTopics(2, "normal", "mostly-anomalies");
    KAFKA.cluster().createTopics(1, "model-updates", "model-health");
    AvroSingleObjectSerializer<FeatureVector> serializer = new AvroSingleObjectSerializer<>(FeatureVector.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.cluster().producerProperties())) {
      for (int i = 0; i < WINDOW; i++) {
        send(producer, serializer, "normal", i, normal(random));
        send(producer, serializer, "mostly-anomalies", i, i % 4 == 0 ? normal(random) : anomalous(random));
      }
      producer.flush();
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, AvroSingleObjectSerializer<FeatureVector> out,
      String topic, int i, double[] row) {
    long time = BASE_TIME + i * 1000L;
    FeatureVector vector = FeatureVector.newBuilder().setId(topic + i).setTimestamp(Instant.ofEpochMilli(time))
        .setFeatures(Arrays.stream(row).boxed().toList()).build();
    producer.send(new ProducerRecord<>(topic, i % 2, time, null, out.serialize(topic, vector)));
  }

  private static double[] normal(Random random) {
    double[] row = new double[MEAN.length];
    for (int j = 0; j < row.length; j++) {
      row[j] = MEAN[j] + SCALE[j] * random.nextGaussian();
    }
    return row;
  }

  /** Far out on every feature, in one of the 16 corners. */
  private static double[] anomalous(Random random) {
    double[] row = new double[MEAN.length];
    for (int j = 0; j < row.length; j++) {
      row[j] = MEAN[j] + (random.nextBoolean() ? 1 : -1) * SCALE[j] * (9 + random.nextDouble());
    }
    return row;
  }

  private static RetrainOptions options(String store, String topic, List<String> featureNames, Path report) {
    return new RetrainOptions(KAFKA.cluster().bootstrapServers(), topic, null, WINDOW, store, servingArtifact, 0.2,
        GateSettings.DEFAULTS, "model-updates", Map.of(), null, 0, DeviceOption.CPU, null, null, null, featureNames,
        report);
  }

  @Test
  void aCandidateFittedToMostlyAnomaliesIsRefusedAndNothingChanges() throws Exception {
    String store = dir.resolve("store-anomalies").toUri().toString();
    Path report = dir.resolve("anomalies.json");
    Retrainer retrainer = new Retrainer(options(store, "mostly-anomalies", null, report), Clock.systemUTC());
    String serving = retrainer.servingVersion();
    long announcedBefore = announcements().size();

    RetrainDecision decision = retrainer.runOnce();

    System.out.println("impflow RetrainIT (mostly anomalies): " + decision.summary());
    assertThat(decision.published()).isFalse();
    assertThat(decision.windowRows()).isEqualTo(WINDOW);
    assertThat(decision.trainingRows()).isEqualTo(800);
    assertThat(decision.gate().passed()).isFalse();
    assertThat(decision.reason()).startsWith("log-likelihood:").contains("the candidate is worse");
    assertThat(decision.gate().candidateMeanLogLikelihood())
        .isLessThan(decision.gate().servingMeanLogLikelihood() - 1.0);
    assertUnchanged(store, serving, announcedBefore);
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.get("decision").asText()).isEqualTo("refused");
    assertThat(json.get("reason").asText()).isEqualTo(decision.reason());
    assertThat(json.at("/gate/common_normal_rows").asInt()).isEqualTo(decision.gate().commonNormalRows());
  }

  @Test
  void aCandidateWithOtherFeatureNamesIsRefused() throws Exception {
    String store = dir.resolve("store-features").toUri().toString();
    Retrainer retrainer = new Retrainer(options(store, "normal", List.of("a", "b", "c", "d"), null),
        Clock.systemUTC());
    String serving = retrainer.servingVersion();
    long announcedBefore = announcements().size();

    RetrainDecision decision = retrainer.runOnce();

    System.out.println("impflow RetrainIT (other features): " + decision.summary());
    assertThat(decision.published()).isFalse();
    assertThat(decision.reason()).startsWith("features:");
    assertUnchanged(store, serving, announcedBefore);
  }

  @Test
  void aCandidateFittedToNormalDataPassesAndIsPublishedAndAnnounced() throws Exception {
    String store = dir.resolve("store-normal").toUri().toString();
    Retrainer retrainer = new Retrainer(options(store, "normal", null, null), Clock.systemUTC());
    String serving = retrainer.servingVersion();
    long announcedBefore = announcements().size();

    RetrainDecision decision = retrainer.runOnce();

    System.out.println("impflow RetrainIT (normal): " + decision.summary());
    assertThat(decision.published()).as(decision.summary()).isTrue();
    assertThat(decision.candidateVersion()).isNotEqualTo(serving);
    ModelStore opened = ModelStore.open(store);
    assertThat(opened.latest()).contains(decision.candidateVersion());
    List<ModelUpdate> announced = announcements();
    assertThat(announced).hasSize((int) announcedBefore + 1);
    ModelUpdate update = announced.get(announced.size() - 1);
    assertThat(update.getVersion()).isEqualTo(decision.candidateVersion());
    assertThat(update.getUri()).isEqualTo(decision.candidateUri());
    assertThat(update.getSha256()).isEqualTo(opened.storedManifestSha256(decision.candidateVersion()));
    assertThat(update.getFeatureNames()).isEqualTo(FEATURES);
    try (DensityModel model = DensityModel.load(Path.of(java.net.URI.create(update.getUri())));
         DensityModel original = DensityModel.load(servingArtifact)) {
      assertThat(model.version()).isEqualTo(decision.candidateVersion());
      // fitted with the serving model's settings, read back from its manifest and provenance
      TrainingSettings candidate = TrainingSettings.fromManifest(model.manifest());
      assertThat(candidate).isEqualTo(TrainingSettings.fromManifest(original.manifest()));
      assertThat(candidate.blocks()).isEqualTo(1);
      assertThat(candidate.hidden()).isEqualTo(16);
      assertThat(candidate.activation()).isEqualTo(ActivationKind.SIN);
      assertThat(candidate.maxSteps()).isEqualTo(40);
      assertThat(candidate.targetFpr()).isEqualTo(0.01);
      assertThat(model.manifest().provenance().get("rows")).isEqualTo(800);
    }
  }

  @Test
  void driftReportedForTheServingVersionStartsOneRetrain() throws Exception {
    String store = dir.resolve("store-drift").toUri().toString();
    Retrainer retrainer = new Retrainer(options(store, "normal", null, null), Clock.systemUTC());
    String serving = retrainer.servingVersion();
    AvroSingleObjectSerializer<ModelHealth> serializer = new AvroSingleObjectSerializer<>(ModelHealth.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.cluster().producerProperties())) {
      for (ModelHealth health : List.of(health("another-version", true), health(serving, false),
          health(serving, true), health(serving, true))) {
        producer.send(new ProducerRecord<>("model-health", serializer.serialize("model-health", health)));
      }
      producer.flush();
    }
    List<RetrainDecision> decisions = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    int retrains;
    try (HealthTopicWatch watch = new HealthTopicWatch(KAFKA.cluster().bootstrapServers(),
        Map.of("auto.offset.reset", "earliest", "group.id", "retrain-it-" + java.util.UUID.randomUUID()),
        "model-health")) {
      retrains = DriftLoop.run(retrainer, watch, new DriftTrigger(),
          () -> decisions.isEmpty() && System.nanoTime() < deadline, decisions::add);
    }
    assertThat(retrains).isEqualTo(1);
    assertThat(decisions).hasSize(1);
    assertThat(decisions.get(0).servingVersion()).isEqualTo(serving);
    assertThat(decisions.get(0).published()).as(decisions.get(0).summary()).isTrue();
    assertThat(ModelStore.open(store).latest()).contains(decisions.get(0).candidateVersion());
  }

  @Test
  void theCommandPrintsTheDecisionWritesTheReportAndExitsZeroOnARefusal() throws Exception {
    Path report = dir.resolve("cli-report.json");
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = io.impflow.trainer.cli.ImpflowCli.commandLine();
    cli.setOut(new java.io.PrintWriter(out));
    int exit = cli.execute("retrain", "--from", "kafka://" + KAFKA.cluster().bootstrapServers() + "/mostly-anomalies",
        "--window-records", String.valueOf(WINDOW), "--serving", dir.resolve("store-cli").toString(),
        "--initial-model", servingArtifact.toString(), "--device", "cpu", "--report", report.toString());
    assertThat(exit).isZero();
    assertThat(out.toString()).startsWith("retrain: candidate ").contains(" refused: log-likelihood:");
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.get("decision").asText()).isEqualTo("refused");
    assertThat(json.get("window_rows").asInt()).isEqualTo(WINDOW);
    assertThat(json.get("announced").asBoolean()).isFalse();
  }

  private static ModelHealth health(String version, boolean drift) {
    return ModelHealth.newBuilder().setModelVersion(version).setWindowStart(Instant.ofEpochMilli(BASE_TIME))
        .setWindowEnd(Instant.ofEpochMilli(BASE_TIME + 60_000)).setScored(1000).setFinite(1000)
        .setMeanLogLikelihood(-9.0).setAlerts(120).setAlertRate(0.12).setTargetFpr(0.01)
        .setUniformityStatistic(drift ? 0.4 : 0.02).setDriftThreshold(0.1).setDrift(drift).build();
  }

  private static void assertUnchanged(String store, String serving, long announcedBefore) throws Exception {
    ModelStore opened = ModelStore.open(store);
    assertThat(opened.latest()).contains(serving);
    assertThat(opened.versions()).extracting(ModelStore.StoredVersion::version).containsExactly(serving);
    assertThat(announcements()).hasSize((int) announcedBefore);
  }

  /** Every committed ModelUpdate on the model-updates topic. */
  private static List<ModelUpdate> announcements() {
    java.util.Properties properties = new java.util.Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroSingleObjectDeserializer<ModelUpdate> decoder = new AvroSingleObjectDeserializer<>(ModelUpdate.class);
    List<ModelUpdate> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition("model-updates", 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          out.add(decoder.deserialize(record.topic(), record.value()));
        }
      }
    }
    return out;
  }
}
