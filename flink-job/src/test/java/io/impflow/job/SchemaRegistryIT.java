package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.serde.ConfluentFraming;
import io.impflow.schemas.serde.ConfluentSerializationSchema;
import io.impflow.schemas.serde.RegistryDecoder;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import io.impflow.testkit.registry.ApicurioProducer;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real KRaft broker and a real MiniCluster, reading and writing schema-registry framed Avro: records
 * written by Apicurio's serializer with three writer schema versions on one topic, the three bad-record kinds, and
 * the registry stopped mid-stream (with records of a not yet cached schema waiting) and started again. Records in =
 * scores + dead letters, each exactly once, and every score is the offline score of its row.
 *
 * <p>The registry is {@link InProcessSchemaRegistry}: no real registry server runs here offline.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SchemaRegistryIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final String EVENTS = "registry-events";
  private static final String SCORES = "registry-scores";
  private static final String ALERTS = "registry-alerts";
  private static final String DEAD_LETTERS = "registry-dead-letters";
  private static final int UNKNOWN_ID = 987_654;

  /** The first version: features as the model names them. */
  static final Schema V1 = schema("{\"name\":\"sensor\",\"type\":\"string\"},"
      + "{\"name\":\"temperature\",\"type\":\"double\"},{\"name\":\"humidity\",\"type\":\"double\"},"
      + "{\"name\":\"pressure\",\"type\":\"float\"},{\"name\":\"count\",\"type\":\"int\"},"
      + "{\"name\":\"event_time\",\"type\":\"long\"}");
  /** A later version: fields reordered, a site in front, count widened to long, humidity nullable. */
  static final Schema V2 = schema("{\"name\":\"site\",\"type\":\"string\"},"
      + "{\"name\":\"count\",\"type\":\"long\"},{\"name\":\"sensor\",\"type\":\"string\"},"
      + "{\"name\":\"humidity\",\"type\":[\"null\",\"double\"],\"default\":null},"
      + "{\"name\":\"temperature\",\"type\":\"double\"},{\"name\":\"pressure\",\"type\":\"double\"},"
      + "{\"name\":\"event_time\",\"type\":\"long\"}");
  /** A third version, first used while the registry is down: a firmware string and a map the reader skips. */
  static final Schema V3 = schema("{\"name\":\"sensor\",\"type\":\"string\"},"
      + "{\"name\":\"firmware\",\"type\":\"string\"},"
      + "{\"name\":\"tags\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
      + "{\"name\":\"temperature\",\"type\":\"double\"},{\"name\":\"humidity\",\"type\":\"double\"},"
      + "{\"name\":\"pressure\",\"type\":\"double\"},{\"name\":\"count\",\"type\":\"double\"},"
      + "{\"name\":\"event_time\",\"type\":\"long\"}");
  /** A producer's schema without one of the model's features. */
  static final Schema NO_HUMIDITY = schema("{\"name\":\"sensor\",\"type\":\"string\"},"
      + "{\"name\":\"temperature\",\"type\":\"double\"},{\"name\":\"pressure\",\"type\":\"double\"},"
      + "{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"event_time\",\"type\":\"long\"}");

  /** What a produced record is, and so where it must end up. */
  enum Kind {
    V1(null), V2(null), V3(null),
    UNKNOWN_ID(DeadLetterReason.UNKNOWN_SCHEMA), BAD_BODY(DeadLetterReason.MALFORMED_AVRO),
    NO_HUMIDITY(DeadLetterReason.MISSING_FEATURE);

    final DeadLetterReason reason;

    Kind(DeadLetterReason reason) {
      this.reason = reason;
    }
  }

  @TempDir
  static Path dir;

  private static final InProcessSchemaRegistry REGISTRY = InProcessSchemaRegistry.running(41);

  @AfterAll
  static void stopRegistry() {
    REGISTRY.close();
  }

  @Test
  void mixedVersionsBadRecordsAndARegistryOutageScoreEveryRecordExactlyOnce(
      @InjectMiniCluster MiniCluster miniCluster) throws Exception {
    Path model = TestModels.writeCalibratedModel(dir, 3);
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, EVENTS);
    kafka.createTopics(1, SCORES, ALERTS, DEAD_LETTERS);

    Random random = new Random(20);
    Map<String, Kind> kinds = new LinkedHashMap<>();
    Map<String, double[]> rows = new HashMap<>();
    Map<String, byte[]> values = new HashMap<>();
    List<String> beforeOutage = new ArrayList<>();
    List<String> duringOutage = new ArrayList<>();
    try (ApicurioProducer producer = new ApicurioProducer(REGISTRY.apicurioV2Url())) {
      for (int i = 0; i < 600; i++) {
        Kind kind = i % 50 == 11 ? Kind.UNKNOWN_ID : i % 50 == 23 ? Kind.BAD_BODY : i % 50 == 37 ? Kind.NO_HUMIDITY
            : i % 2 == 0 ? Kind.V1 : Kind.V2;
        beforeOutage.add(record("r" + i, kind, producer, random, kinds, rows, values));
      }
      for (int i = 600; i < 1200; i++) {
        duringOutage.add(record("r" + i, i % 100 == 50 ? Kind.UNKNOWN_ID : Kind.V3, producer, random, kinds, rows,
            values));
      }
    }
    int v3 = REGISTRY.idOf(V3);
    assertThat(List.of(REGISTRY.idOf(V1), REGISTRY.idOf(V2), v3, REGISTRY.idOf(NO_HUMIDITY))).doesNotHaveDuplicates()
        .doesNotContain(-1, UNKNOWN_ID);

    JobConfig config = JobConfig.parse("--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--input-topic", EVENTS, "--scores-topic", SCORES, "--alerts-topic", ALERTS,
        "--dead-letters-topic", DEAD_LETTERS, "--starting-offsets", "earliest", "--checkpoint-interval", "300ms",
        "--input-encoding", "confluent", "--output-encoding", "confluent", "--schema-registry-url", REGISTRY.url(),
        "--schema-registry-max-wait", "1500ms", "--id-field", "sensor", "--timestamp-field", "event_time",
        "--parallelism", "2", "--group-id", "it-" + UUID.randomUUID(),
        "--transactional-id-prefix", "it-" + UUID.randomUUID());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
        wiring.deadLetters());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.build(env);
    JobClient client = env.executeAsync("impflow schema-registry IT");
    RegistrySettings registry = config.registry().orElseThrow();
    try (FramedOutput output = new FramedOutput(kafka, registry);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      send(producer, beforeOutage, values);
      output.awaitAtLeast(beforeOutage.size(), Duration.ofSeconds(90));

      // Down with records of a schema no task has cached yet on the topic: tasks retry, fail after the max wait,
      // and the job restarts from its checkpoint until the registry is back.
      REGISTRY.stop();
      send(producer, duringOutage, values);
      Thread.sleep(5_000);
      output.poll();
      REGISTRY.start();
      output.awaitAtLeast(kinds.size(), Duration.ofSeconds(120));
      // Let any duplicate that a broken exactly-once would commit arrive before counting.
      Thread.sleep(1_000);
      output.poll();

      assertThat(REGISTRY.schemaFetches(v3)).as("the new version fetched once the registry was back").isPositive();
      assertThat(exceptionHistory(miniCluster, client)).as("the job failed over the outage and restarted")
          .contains("RegistryUnavailableException").contains("no schema registry answered");
      check(output, kinds, rows, values, model, job.modelVersion());
    } finally {
      client.cancel().get();
    }

    // The outputs' schemas are registered under <topic>-value, as Kafka Connect and ksqlDB look them up.
    assertThat(REGISTRY.versions(SCORES + "-value")).containsExactly(ScoredEvent.getClassSchema());
    assertThat(REGISTRY.versions(ALERTS + "-value")).containsExactly(Alert.getClassSchema());
    assertThat(REGISTRY.versions(DEAD_LETTERS + "-value")).containsExactly(DeadLetter.getClassSchema());
    assertThat(ConfluentSerializationSchema.subject(SCORES)).isEqualTo(SCORES + "-value");
  }

  private static void check(FramedOutput output, Map<String, Kind> kinds, Map<String, double[]> rows,
      Map<String, byte[]> values, Path model, String modelVersion) throws Exception {
    Map<String, ScoredEvent> scoreById = output.scores.stream()
        .collect(Collectors.toMap(ScoredEvent::getId, Function.identity()));
    Map<String, DeadLetter> deadLetterById = output.deadLetters.stream()
        .collect(Collectors.toMap(d -> utf8(d.getKey()), Function.identity()));
    assertThat(scoreById).as("no record scored twice").hasSameSizeAs(output.scores);
    assertThat(deadLetterById).as("no record dead-lettered twice").hasSameSizeAs(output.deadLetters);
    List<String> valid = kinds.keySet().stream().filter(id -> kinds.get(id).reason == null)
        .collect(Collectors.toList());
    assertThat(scoreById.keySet()).containsExactlyInAnyOrderElementsOf(valid);
    assertThat(deadLetterById.keySet()).containsExactlyInAnyOrderElementsOf(
        kinds.keySet().stream().filter(id -> kinds.get(id).reason != null).collect(Collectors.toList()));
    assertThat(output.scores.size() + output.deadLetters.size()).isEqualTo(kinds.size());
    for (Map.Entry<String, DeadLetter> e : deadLetterById.entrySet()) {
      Kind kind = kinds.get(e.getKey());
      DeadLetter deadLetter = e.getValue();
      assertThat(deadLetter.getReason()).as("reason of %s (%s)", e.getKey(), kind).isEqualTo(kind.reason);
      assertThat(deadLetter.getValue()).isEqualTo(ByteBuffer.wrap(values.get(e.getKey())));
      if (kind == Kind.UNKNOWN_ID) {
        assertThat(deadLetter.getMessage()).contains("unknown schema id " + UNKNOWN_ID);
      } else if (kind == Kind.NO_HUMIDITY) {
        assertThat(deadLetter.getMessage()).contains("'humidity'");
      }
    }

    double[] offline;
    double threshold;
    try (DensityModel m = DensityModel.load(model)) {
      offline = m.score(valid.stream().map(rows::get).toArray(double[][]::new)).logLikelihood();
      threshold = m.calibration().orElseThrow().threshold();
    }
    int flagged = 0;
    for (int k = 0; k < valid.size(); k++) {
      ScoredEvent event = scoreById.get(valid.get(k));
      assertThat(Math.abs(event.getLogLikelihood() - offline[k]) / Math.max(1, Math.abs(offline[k])))
          .as("log-likelihood of %s: %s streamed vs %s offline", valid.get(k), event.getLogLikelihood(), offline[k])
          .isLessThanOrEqualTo(1e-12);
      assertThat(event.getModelVersion()).isEqualTo(modelVersion);
      assertThat(event.getTimestamp().toEpochMilli()).isEqualTo(eventTime(valid.get(k)));
      flagged += event.getIsAnomaly() ? 1 : 0;
      assertThat(event.getIsAnomaly()).isEqualTo(event.getLogLikelihood() < threshold);
    }
    assertThat(flagged).isPositive();
    assertThat(output.alerts).hasSize(flagged);
  }

  /** The job's exception history from the MiniCluster's REST API. */
  private static String exceptionHistory(MiniCluster miniCluster, JobClient client) throws Exception {
    URI rest = miniCluster.getRestAddress().get();
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        rest.resolve("/jobs/" + client.getJobID() + "/exceptions")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** Builds, serializes (Apicurio, or framed by hand for the bad kinds) and remembers one record. */
  private static String record(String id, Kind kind, ApicurioProducer producer, Random random, Map<String, Kind> kinds,
      Map<String, double[]> rows, Map<String, byte[]> values) {
    double[] row = random.nextInt(20) == 0 ? TestModels.anomalousRow(random) : TestModels.normalRow(random);
    Schema schema = kind == Kind.V2 ? V2 : kind == Kind.V3 ? V3 : kind == Kind.NO_HUMIDITY ? NO_HUMIDITY : V1;
    GenericRecordBuilder builder = new GenericRecordBuilder(schema).set("sensor", id)
        .set("event_time", eventTime(id)).set("temperature", row[0]);
    if (schema != NO_HUMIDITY) {
      builder.set("humidity", row[1]);
    }
    double[] seen;
    if (schema == V1 || schema == NO_HUMIDITY) {
      builder.set("pressure", schema == V1 ? (Object) (float) row[2] : row[2]).set("count", (int) Math.round(row[3]));
      seen = new double[] {row[0], row[1], schema == V1 ? (float) row[2] : row[2], Math.round(row[3])};
    } else if (schema == V2) {
      builder.set("site", "plant-" + random.nextInt(3)).set("pressure", row[2]).set("count", Math.round(row[3]));
      seen = new double[] {row[0], row[1], row[2], Math.round(row[3])};
    } else {
      builder.set("firmware", "fw-" + random.nextInt(9)).set("tags", Map.of("line", "4")).set("pressure", row[2])
          .set("count", row[3]);
      seen = row;
    }
    GenericRecord record = builder.build();
    byte[] bytes = producer.serialize(EVENTS, record);
    if (kind == Kind.UNKNOWN_ID) {
      bytes[1] = (byte) (UNKNOWN_ID >>> 24);
      bytes[2] = (byte) (UNKNOWN_ID >>> 16);
      bytes[3] = (byte) (UNKNOWN_ID >>> 8);
      bytes[4] = (byte) UNKNOWN_ID;
    } else if (kind == Kind.BAD_BODY) {
      bytes = Arrays.copyOf(bytes, ConfluentFraming.HEADER_LENGTH + 3);
    }
    kinds.put(id, kind);
    rows.put(id, seen);
    values.put(id, bytes);
    return id;
  }

  private static long eventTime(String id) {
    return 1_700_000_000_000L + Integer.parseInt(id.substring(1));
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, List<String> ids, Map<String, byte[]> values) {
    for (String id : ids) {
      producer.send(new ProducerRecord<>(EVENTS, id.getBytes(StandardCharsets.UTF_8), values.get(id)));
    }
    producer.flush();
  }

  private static Schema schema(String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"SensorReading\",\"namespace\":\"com.acme\","
        + "\"fields\":[" + fields + "]}");
  }

  private static String utf8(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The job's committed, schema-registry framed outputs, decoded through the registry as any consumer would. */
  private static final class FramedOutput implements AutoCloseable {
    final List<ScoredEvent> scores = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RegistryDecoder<ScoredEvent> scoreDecoder;
    private final RegistryDecoder<Alert> alertDecoder;
    private final RegistryDecoder<DeadLetter> deadLetterDecoder;

    FramedOutput(KafkaCluster kafka, RegistrySettings registry) {
      SchemaRegistryClient client = new SchemaRegistryClient(registry);
      scoreDecoder = decoder(client, ScoredEvent.class);
      alertDecoder = decoder(client, Alert.class);
      deadLetterDecoder = decoder(client, DeadLetter.class);
      consumer = new KafkaConsumer<>(kafka.consumerProperties("it-registry-reader-" + UUID.randomUUID()));
      List<TopicPartition> partitions = List.of(new TopicPartition(SCORES, 0), new TopicPartition(ALERTS, 0),
          new TopicPartition(DEAD_LETTERS, 0));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    private static <T extends SpecificRecord> RegistryDecoder<T> decoder(SchemaRegistryClient client, Class<T> type) {
      SpecificData model = SpecificData.getForClass(type);
      Schema reader = model.getSchema(type);
      return new RegistryDecoder<>(client, model, writer -> reader, 10);
    }

    /** Reads what has been committed so far; returns scores + dead letters seen in all. */
    int poll() {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
        switch (record.topic()) {
          case SCORES:
            scores.add(scoreDecoder.decode(record.value()));
            break;
          case ALERTS:
            alerts.add(alertDecoder.decode(record.value()));
            break;
          default:
            deadLetters.add(deadLetterDecoder.decode(record.value()));
        }
      }
      return scores.size() + deadLetters.size();
    }

    void awaitAtLeast(int records, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (poll() < records) {
        assertThat(System.nanoTime()).as("%d outputs before the deadline (have %d)", records,
            scores.size() + deadLetters.size()).isLessThan(deadline);
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
