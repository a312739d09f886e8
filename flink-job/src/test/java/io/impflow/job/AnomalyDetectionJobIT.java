package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.JobConfig;
import io.impflow.job.decode.NamedFieldDecoderTest;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.scoring.ServingModel;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.model.scoring.ScoreAgreement;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a real KRaft broker process, a real MiniCluster and a real model: Kafka in, exact scores, alerts
 * and dead letters out, exactly once; and the same pipeline with a user's own schema through injected test source
 * and sinks.
 */
// A hang guard, not a speed test: a job stuck in a restart loop would otherwise block the build forever.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AnomalyDetectionJobIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final double EXACT = ScoreAgreement.DEFAULT_TOLERANCE;

  @TempDir
  static Path dir;
  static Path model;

  /** What each produced record is, and so where it must end up. */
  enum Kind {
    NORMAL(null), ANOMALY(null),
    TRUNCATED(DeadLetterReason.MALFORMED_AVRO), NOT_AVRO(DeadLetterReason.MALFORMED_AVRO),
    TOMBSTONE(DeadLetterReason.MALFORMED_AVRO), UNKNOWN_SCHEMA(DeadLetterReason.UNKNOWN_SCHEMA),
    NON_FINITE(DeadLetterReason.NON_FINITE_VALUE), WRONG_DIMENSION(DeadLetterReason.DIMENSION_MISMATCH),
    /** Finite but astronomically large values: the model cannot solve for them and says NOT_CONVERGED. */
    UNSOLVABLE(DeadLetterReason.SOLVER_NOT_CONVERGED);

    final DeadLetterReason reason;

    Kind(DeadLetterReason reason) {
      this.reason = reason;
    }
  }

  private static final Kind[] MALFORMED = Arrays.stream(Kind.values()).filter(k -> k.reason != null)
      .toArray(Kind[]::new);

  @BeforeAll
  static void writeModel() throws Exception {
    model = TestModels.writeCalibratedModel(dir, 3);
  }

  @Test
  void kafkaInScoresAlertsAndDeadLettersOutExactlyOnce() throws Exception {
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, "events");
    kafka.createTopics(1, "scores", "alerts", "dead-letters");

    int n = 20_000;
    Random random = new Random(42);
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    Kind[] kinds = new Kind[n];
    double[][] rows = new double[n][];
    byte[][] values = new byte[n][];
    for (int i = 0; i < n; i++) {
      kinds[i] = i % 100 == 50 ? MALFORMED[(i / 100) % MALFORMED.length] : i % 100 == 7 ? Kind.ANOMALY : Kind.NORMAL;
      rows[i] = kinds[i] == Kind.ANOMALY ? TestModels.anomalousRow(random) : TestModels.normalRow(random);
      values[i] = encode(codec, "e" + i, kinds[i], rows[i], random);
    }
    AtomicReferenceArray<RecordMetadata> written = produce(kafka, values);

    JobConfig config = JobConfig.parse("--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--bounded", "--starting-offsets", "earliest", "--checkpoint-interval", "500ms", "--parallelism", "2",
        "--group-id", "it-" + UUID.randomUUID(), "--transactional-id-prefix", "it-" + UUID.randomUUID());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
        wiring.deadLetters());
    long start = System.nanoTime();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("impflow IT: %d records through the job in %.1f s (%.0f records/s, start-up included)%n", n,
        seconds, n / seconds);

    List<ScoredEvent> scores = readCommitted(kafka, "scores", ScoredEvent.class);
    List<Alert> alerts = readCommitted(kafka, "alerts", Alert.class);
    List<DeadLetter> deadLetters = readCommitted(kafka, "dead-letters", DeadLetter.class);

    // Records in = scores + dead letters, each exactly once.
    Set<String> validIds = new HashSet<>();
    Map<String, Kind> malformedIds = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (kinds[i].reason == null) {
        validIds.add("e" + i);
      } else {
        malformedIds.put("e" + i, kinds[i]);
      }
    }
    assertThat(malformedIds).hasSizeGreaterThanOrEqualTo(n / 100);
    assertThat(scores).hasSize(validIds.size());
    Map<String, ScoredEvent> scoreById = scores.stream()
        .collect(Collectors.toMap(ScoredEvent::getId, Function.identity()));
    assertThat(scoreById.keySet()).isEqualTo(validIds);

    assertThat(deadLetters).hasSize(malformedIds.size());
    Map<String, DeadLetter> deadLetterById = deadLetters.stream()
        .collect(Collectors.toMap(d -> utf8(d.getKey()), Function.identity()));
    assertThat(deadLetterById.keySet()).isEqualTo(malformedIds.keySet());
    for (Map.Entry<String, DeadLetter> e : deadLetterById.entrySet()) {
      int i = Integer.parseInt(e.getKey().substring(1));
      DeadLetter deadLetter = e.getValue();
      assertThat(deadLetter.getReason()).as("reason of %s (%s)", e.getKey(), kinds[i]).isEqualTo(kinds[i].reason);
      assertThat(deadLetter.getValue()).isEqualTo(values[i] == null ? null : ByteBuffer.wrap(values[i]));
      assertThat(deadLetter.getSource()).isEqualTo(position(written.get(i)));
    }

    // Every score is the model's own exact score of the same features, read at the record's own position.
    List<String> ids = new ArrayList<>(validIds);
    double[][] validRows = ids.stream().mapToInt(id -> Integer.parseInt(id.substring(1))).mapToObj(i -> rows[i])
        .toArray(double[][]::new);
    double[] offline;
    double threshold;
    try (DensityModel m = DensityModel.load(model)) {
      offline = m.score(validRows).logLikelihood();
      threshold = m.calibration().orElseThrow().threshold();
    }
    Set<String> offlineFlagged = new HashSet<>();
    for (int k = 0; k < ids.size(); k++) {
      ScoredEvent event = scoreById.get(ids.get(k));
      int i = Integer.parseInt(ids.get(k).substring(1));
      assertThat(ScoreAgreement.relativeDifference(event.getLogLikelihood(), offline[k]))
          .as("relative log-likelihood difference of %s", ids.get(k)).isLessThanOrEqualTo(EXACT);
      assertThat(event.getScore()).isEqualTo(-event.getLogLikelihood());
      assertThat(event.getThreshold()).isEqualTo(threshold);
      assertThat(event.getModelVersion()).isEqualTo(job.modelVersion());
      assertThat(event.getSource()).isEqualTo(position(written.get(i)));
      if (offline[k] < threshold) {
        offlineFlagged.add(ids.get(k));
      }
    }
    Set<String> flagged = scores.stream().filter(ScoredEvent::getIsAnomaly).map(ScoredEvent::getId)
        .collect(Collectors.toSet());
    assertThat(flagged).isEqualTo(offlineFlagged);
    for (int i = 0; i < n; i++) {
      if (kinds[i] == Kind.ANOMALY) {
        assertThat(flagged).as("injected anomaly e%d", i).contains("e" + i);
      }
    }
    assertThat(alerts).hasSize(flagged.size());
    assertThat(alerts.stream().map(a -> a.getEvent().getId()).collect(Collectors.toSet())).isEqualTo(flagged);
    Alert alert = alerts.get(0);
    int i = Integer.parseInt(alert.getEvent().getId().substring(1));
    assertThat(alert.getFeatures()).containsExactly(Arrays.stream(rows[i]).boxed().toArray(Double[]::new));
    assertThat(alert.getAttribution()).hasSize(TestModels.FEATURES.size());
  }

  @Test
  void aUserSchemaIsScoredByFieldNameThroughInjectedSourceAndSinks() throws Exception {
    Path avsc = Files.writeString(dir.resolve("sensor.avsc"), NamedFieldDecoderTest.SENSOR_SCHEMA);
    Schema schema = new Schema.Parser().parse(NamedFieldDecoderTest.SENSOR_SCHEMA);
    SingleObjectCodec<GenericRecord> codec = SingleObjectCodec.forGeneric(schema, SchemaStore.empty());
    Random random = new Random(9);
    int n = 1000;
    ArrayList<byte[]> values = new ArrayList<>();
    Map<String, double[]> rowBySensor = new HashMap<>();
    Set<String> missing = new HashSet<>();
    for (int i = 0; i < n; i++) {
      double[] row = i % 50 == 3 ? TestModels.anomalousRow(random) : TestModels.normalRow(random);
      GenericRecord record = new GenericData.Record(schema);
      String sensor = "s" + i;
      record.put("sensor", sensor);
      record.put("site", "plant-" + (i % 3));
      record.put("temperature", row[0]);
      record.put("humidity", i % 100 == 42 ? null : row[1]);
      record.put("pressure", (float) row[2]);
      record.put("event_time", 1_700_000_000_000L + i);
      record.put("count", (int) Math.round(row[3]));
      values.add(codec.encode(record));
      if (i % 100 == 42) {
        missing.add(sensor);
      } else {
        rowBySensor.put(sensor, new double[] {row[0], row[1], (float) row[2], Math.round(row[3])});
      }
    }
    DataGeneratorSource<RawRecord> source = new DataGeneratorSource<>(
        index -> new RawRecord("sensors", 0, index, 0L, null, values.get((int) (long) index)), n,
        TypeInformation.of(RawRecord.class));
    CollectingSink<ScoredEvent> scores = new CollectingSink<>("user-schema-scores");
    CollectingSink<Alert> alerts = new CollectingSink<>("user-schema-alerts");
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>("user-schema-dead-letters");
    JobConfig config = JobConfig.parse("--model", model.toString(), "--input-schema", avsc.toString(),
        "--id-field", "sensor", "--timestamp-field", "event_time", "--checkpoint-interval", "200ms",
        "--batch-size", "64");
    new AnomalyDetectionJob(config, source, scores, alerts, deadLetters)
        .execute(StreamExecutionEnvironment.getExecutionEnvironment());

    assertThat(deadLetters.collected()).extracting(DeadLetter::getReason)
        .containsOnly(DeadLetterReason.MISSING_FEATURE).hasSize(missing.size());
    assertThat(deadLetters.collected()).allSatisfy(d -> assertThat(d.getMessage()).contains("'humidity'"));
    List<ScoredEvent> scored = scores.collected();
    assertThat(scored.stream().map(ScoredEvent::getId).collect(Collectors.toSet())).isEqualTo(rowBySensor.keySet());
    assertThat(scored).hasSize(rowBySensor.size());
    List<String> ids = new ArrayList<>(rowBySensor.keySet());
    double[] offline;
    try (DensityModel m = DensityModel.load(model)) {
      offline = m.score(ids.stream().map(rowBySensor::get).toArray(double[][]::new)).logLikelihood();
    }
    Map<String, ScoredEvent> byId = scored.stream().collect(Collectors.toMap(ScoredEvent::getId, e -> e));
    Set<String> offlineFlagged = new HashSet<>();
    for (int k = 0; k < ids.size(); k++) {
      ScoredEvent event = byId.get(ids.get(k));
      assertThat(ScoreAgreement.relativeDifference(event.getLogLikelihood(), offline[k])).isLessThanOrEqualTo(EXACT);
      assertThat(event.getTimestamp().toEpochMilli())
          .isEqualTo(1_700_000_000_000L + Integer.parseInt(ids.get(k).substring(1)));
      if (offline[k] < event.getThreshold()) {
        offlineFlagged.add(ids.get(k));
      }
    }
    assertThat(alerts.collected().stream().map(a -> a.getEvent().getId()).collect(Collectors.toSet()))
        .isEqualTo(offlineFlagged).isNotEmpty();
  }

  @Test
  void aModelAnnouncedOnTheUpdatesTopicReplacesTheServingOneWhileRunning() throws Exception {
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(1, "swap-events", "swap-scores", "swap-alerts", "swap-dead-letters", "model-updates");
    Path second = TestModels.writeCalibratedModel(dir.resolve("second"), 4);
    JobConfig config = JobConfig.parse("--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--input-topic", "swap-events", "--scores-topic", "swap-scores", "--alerts-topic", "swap-alerts",
        "--dead-letters-topic", "swap-dead-letters", "--model-updates-topic", "model-updates",
        "--starting-offsets", "earliest", "--checkpoint-interval", "300ms",
        "--group-id", "it-" + UUID.randomUUID(), "--transactional-id-prefix", "it-" + UUID.randomUUID());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.modelUpdates(),
        wiring.scores(), wiring.alerts(), wiring.deadLetters());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.build(env);
    JobClient client = env.executeAsync("impflow hot-swap IT");

    SingleObjectCodec<FeatureVector> vectors =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    SingleObjectCodec<ScoredEvent> scoredCodec =
        SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
    Random random = new Random(21);
    Map<String, double[]> rows = new HashMap<>();
    List<ScoredEvent> scores = new ArrayList<>();
    String secondVersion;
    try (DensityModel m = DensityModel.load(second)) {
      secondVersion = m.version();
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(kafka.consumerProperties("it-swap-reader-" + UUID.randomUUID()))) {
      consumer.subscribe(List.of("swap-scores"));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      boolean announced = false;
      while (scores.stream().noneMatch(e -> e.getModelVersion().equals(secondVersion))) {
        assertThat(System.nanoTime()).as("a score by the announced model before the deadline").isLessThan(deadline);
        for (int k = 0; k < 20; k++) {
          String id = "w" + rows.size();
          double[] row = TestModels.normalRow(random);
          rows.put(id, row);
          producer.send(new ProducerRecord<>("swap-events", vectors.encode(FeatureVector.newBuilder().setId(id)
              .setTimestamp(Instant.now()).setFeatures(Arrays.stream(row).boxed().collect(Collectors.toList()))
              .build())));
        }
        producer.flush();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
          scores.add(scoredCodec.decode(record.value()));
        }
        if (!announced && scores.size() >= 100) {
          ModelUpdate update = ModelUpdate.newBuilder().setVersion(secondVersion).setUri(second.toUri().toString())
              .setSha256(ServingModel.manifestSha256(second.toString())).setFeatureNames(TestModels.FEATURES)
              .setCreatedAt(Instant.now()).build();
          producer.send(new ProducerRecord<>("model-updates",
              SingleObjectCodec.forSpecific(ModelUpdate.class, SchemaStore.empty()).encode(update)));
          announced = true;
        }
      }
    } finally {
      client.cancel().get();
    }

    // Scores switch once, from the first model to the announced one, and each is exact under the model it names.
    List<String> versions = scores.stream().map(ScoredEvent::getModelVersion).distinct().collect(Collectors.toList());
    assertThat(versions).containsExactly(job.modelVersion(), secondVersion);
    int firstSecond = indexOfVersion(scores, secondVersion);
    assertThat(scores.subList(firstSecond, scores.size())).allMatch(e -> e.getModelVersion().equals(secondVersion));
    assertThat(scores.stream().map(ScoredEvent::getId).distinct().count()).isEqualTo(scores.size());
    for (String version : versions) {
      List<ScoredEvent> byVersion = scores.stream().filter(e -> e.getModelVersion().equals(version))
          .collect(Collectors.toList());
      try (DensityModel m = DensityModel.load(version.equals(secondVersion) ? second : model)) {
        double[] offline = m.score(byVersion.stream().map(e -> rows.get(e.getId())).toArray(double[][]::new))
            .logLikelihood();
        for (int k = 0; k < offline.length; k++) {
          assertThat(ScoreAgreement.relativeDifference(byVersion.get(k).getLogLikelihood(), offline[k]))
              .isLessThanOrEqualTo(EXACT);
        }
      }
    }
  }

  private static int indexOfVersion(List<ScoredEvent> scores, String version) {
    for (int i = 0; i < scores.size(); i++) {
      if (scores.get(i).getModelVersion().equals(version)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] encode(SingleObjectCodec<FeatureVector> codec, String id, Kind kind, double[] row,
      Random random) {
    double[] features = row;
    if (kind == Kind.NON_FINITE) {
      features = row.clone();
      features[random.nextInt(row.length)] = random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY;
    } else if (kind == Kind.WRONG_DIMENSION) {
      features = Arrays.copyOf(row, random.nextBoolean() ? row.length - 1 : row.length + 1);
    } else if (kind == Kind.UNSOLVABLE) {
      features = new double[row.length];
      Arrays.fill(features, 1e200);
    }
    byte[] bytes = codec.encode(FeatureVector.newBuilder().setId(id).setTimestamp(Instant.ofEpochMilli(1000))
        .setFeatures(Arrays.stream(features).boxed().collect(Collectors.toList())).build());
    switch (kind) {
      case TRUNCATED:
        return Arrays.copyOf(bytes, 10 + random.nextInt(bytes.length - 11));
      case NOT_AVRO:
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
      case TOMBSTONE:
        return null;
      case UNKNOWN_SCHEMA:
        bytes[2 + random.nextInt(8)] ^= 0x5a;
        return bytes;
      default:
        return bytes;
    }
  }

  private static AtomicReferenceArray<RecordMetadata> produce(KafkaCluster kafka, byte[][] values) {
    AtomicReferenceArray<RecordMetadata> written = new AtomicReferenceArray<>(values.length);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < values.length; i++) {
        int index = i;
        producer.send(new ProducerRecord<>("events", ("e" + i).getBytes(StandardCharsets.UTF_8), values[i]),
            (metadata, error) -> {
              if (error == null) {
                written.set(index, metadata);
              }
            });
      }
      producer.flush();
    }
    for (int i = 0; i < values.length; i++) {
      assertThat(written.get(i)).as("record e%d acknowledged", i).isNotNull();
    }
    return written;
  }

  /** Every committed record of the topic, decoded, reading until the last stable offset of every partition. */
  private static <T extends SpecificRecord> List<T> readCommitted(KafkaCluster kafka, String topic, Class<T> type) {
    SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type, SchemaStore.withGeneratedSchemas());
    List<T> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("it-reader-" + UUID.randomUUID()))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime()).as("reading %s before the deadline", topic).isLessThan(deadline);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(codec.decode(record.value()));
        }
      }
    }
    return records;
  }

  private static SourcePosition position(RecordMetadata metadata) {
    return new SourcePosition(metadata.topic(), metadata.partition(), metadata.offset());
  }

  private static String utf8(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
