package io.impflow.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.TestModels;
import io.impflow.model.DensityModel;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.flink.FlinkProcessCluster;
import io.impflow.testkit.flink.FlinkRestClient;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real multi-process Flink session cluster, submitted over REST as {@code flink run} does,
 * survives a TaskManager killed with SIGKILL mid-stream: after recovery from the last checkpoint on a replacement
 * TaskManager, every record's score or dead letter is in Kafka exactly once (read_committed), and every score is the
 * offline model's score.
 */
// A hang guard, not a speed test: a job stuck in a restart loop would otherwise block the build forever.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TaskManagerFailureIT {
  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  private static final int RECORDS = 20_000;
  private static final int RECORDS_PER_SECOND = 600;
  /** Committed scores to see before the kill: the job is well under way, with plenty of input still to come. */
  private static final int SCORES_BEFORE_KILL = 2_000;
  private static final double EXACT = 1e-12;
  private static final Duration JOB_START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(180);
  private static final String EVENTS = "events";
  private static final String SCORES = "scores";
  private static final String ALERTS = "alerts";
  private static final String DEAD_LETTERS = "dead-letters";
  private static final String MODEL_HEALTH = "model-health";

  @TempDir
  Path dir;

  /** The ways a record is broken, one in a hundred records, and the dead-letter reason each must get. */
  enum Defect {
    TRUNCATED(DeadLetterReason.MALFORMED_AVRO),
    NOT_AVRO(DeadLetterReason.MALFORMED_AVRO),
    UNKNOWN_FINGERPRINT(DeadLetterReason.UNKNOWN_SCHEMA),
    NOT_A_NUMBER(DeadLetterReason.NON_FINITE_VALUE),
    ONE_FEATURE_SHORT(DeadLetterReason.DIMENSION_MISMATCH);

    final DeadLetterReason reason;

    Defect(DeadLetterReason reason) {
      this.reason = reason;
    }

    byte[] apply(byte[] valid, double[] row, String id, SingleObjectCodec<FeatureVector> codec) {
      switch (this) {
        case TRUNCATED:
          return Arrays.copyOf(valid, valid.length / 2);
        case NOT_AVRO:
          return ("not avro: " + id).getBytes(StandardCharsets.UTF_8);
        case UNKNOWN_FINGERPRINT:
          byte[] other = valid.clone();
          other[5] ^= 0x3c;
          return other;
        case NOT_A_NUMBER:
          double[] nan = row.clone();
          nan[1] = Double.NaN;
          return codec.encode(vector(id, nan));
        default:
          return codec.encode(vector(id, Arrays.copyOf(row, row.length - 1)));
      }
    }
  }

  @Test
  void aKilledTaskManagerIsReplacedAndEveryRecordIsScoredOrDeadLetteredExactlyOnce() throws Exception {
    long start = System.nanoTime();
    Path model = TestModels.writeCalibratedModel(dir, 11);
    Path jobJar = shadedJobJar();
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, EVENTS);
    kafka.createTopics(1, SCORES, ALERTS, DEAD_LETTERS, MODEL_HEALTH);
    Input input = Input.generate(new Random(17));

    try (FlinkProcessCluster cluster = FlinkProcessCluster.builder().taskManagers(1).slotsPerTaskManager(2)
            .setting("restart-strategy.type", "fixed-delay")
            .setting("restart-strategy.fixed-delay.attempts", "20")
            .setting("restart-strategy.fixed-delay.delay", "1 s")
            .start();
        CommittedOutput output = new CommittedOutput(kafka)) {
      String logs = cluster.logHint();
      FlinkRestClient rest = cluster.rest();
      String jobId = rest.runJar(rest.uploadJar(jobJar), AnomalyDetectionJob.class.getName(), List.of(
          "--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
          "--starting-offsets", "earliest", "--checkpoint-interval", "1s", "--parallelism", "2",
          "--health-window", "1s",
          "--group-id", "tm-failure-" + UUID.randomUUID(),
          "--transactional-id-prefix", "tm-failure-" + UUID.randomUUID()));
      rest.awaitJobState(jobId, "RUNNING", JOB_START_TIMEOUT);
      double startedAt = seconds(start);
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced = input.produceAtSteadyPace(kafka);

      long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
      while (rest.checkpointCounts(jobId).completed() < 1 || output.scores.size() < SCORES_BEFORE_KILL) {
        output.poll();
        assertThat(System.nanoTime()).as("a completed checkpoint and %d committed scores before the kill (have %d,"
            + " job %s); %s", SCORES_BEFORE_KILL, output.scores.size(), rest.jobState(jobId), logs)
            .isLessThan(deadline);
      }
      String victim = cluster.liveTaskManagers().get(0);
      int scoresAtKill = output.scores.size();
      assertThat(cluster.killTaskManager(victim)).as("exit status of %s after SIGKILL", victim).isEqualTo(137);
      double killedAt = seconds(start);
      String replacement = cluster.startTaskManager();

      AtomicReferenceArray<RecordMetadata> written = produced.get(OUTPUT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      Map<SourcePosition, Integer> indexAt = input.indexByPosition(written);
      while (output.distinctScorePositions() < input.valid() || output.distinctDeadLetterPositions() < input.broken()) {
        output.poll();
        assertThat(System.nanoTime()).as("all %d scores and %d dead letters committed after the recovery (have %d"
            + " and %d, job %s, checkpoints %s); %s", input.valid(), input.broken(), output.distinctScorePositions(),
            output.distinctDeadLetterPositions(), rest.jobState(jobId), rest.checkpointCounts(jobId), logs)
            .isLessThan(deadline);
      }
      // The health windows close on the clock, a second after their last record: wait for them to commit too.
      while (output.healthScored() < input.valid()) {
        output.poll();
        assertThat(System.nanoTime()).as("model-health windows counting all %d scores (have %d); %s", input.valid(),
            output.healthScored(), logs).isLessThan(deadline);
      }
      double recoveredAt = seconds(start);
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();
      System.out.printf("impflow cluster IT: job running at %.1f s, %s killed at %.1f s (%d of %d scores committed),"
          + " all output committed at %.1f s via %s; checkpoints %s%n", startedAt, victim, killedAt, scoresAtKill,
          input.valid(), recoveredAt, replacement, checkpoints);

      assertThat(scoresAtKill).as("the kill came mid-stream").isLessThan(input.valid());
      assertThat(checkpoints.restored()).as("the job was restored from a checkpoint; %s", logs).isPositive();
      assertThat(cluster.liveTaskManagers()).containsExactly(replacement);
      output.assertExactlyOnce(input, indexAt, model);
      // Health windows are checkpointed state with a transactional sink: across the kill and the restore every
      // scored record is counted in exactly one committed window.
      assertThat(output.healthScored()).as("records counted by the committed model-health windows")
          .isEqualTo(input.valid());
    }
  }

  /** The records to produce: mostly normal rows, one anomaly and one broken record in every hundred. */
  private static final class Input {
    final double[][] rows = new double[RECORDS][];
    final Defect[] defects = new Defect[RECORDS];
    final byte[][] values = new byte[RECORDS][];

    static Input generate(Random random) {
      SingleObjectCodec<FeatureVector> codec =
          SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
      Input input = new Input();
      Defect[] defects = Defect.values();
      for (int i = 0; i < RECORDS; i++) {
        input.rows[i] = i % 100 == 7 ? TestModels.anomalousRow(random) : TestModels.normalRow(random);
        byte[] valid = codec.encode(vector(id(i), input.rows[i]));
        input.defects[i] = i % 100 == 50 ? defects[(i / 100) % defects.length] : null;
        input.values[i] = input.defects[i] == null ? valid : input.defects[i].apply(valid, input.rows[i], id(i), codec);
      }
      return input;
    }

    int broken() {
      return (int) Arrays.stream(defects).filter(d -> d != null).count();
    }

    int valid() {
      return RECORDS - broken();
    }

    /** Sends every record, {@link #RECORDS_PER_SECOND} at a steady pace, on a thread of its own. */
    CompletableFuture<AtomicReferenceArray<RecordMetadata>> produceAtSteadyPace(KafkaCluster kafka) {
      return CompletableFuture.supplyAsync(() -> {
        AtomicReferenceArray<RecordMetadata> written = new AtomicReferenceArray<>(RECORDS);
        long begin = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
          for (int i = 0; i < RECORDS; i++) {
            long due = begin + TimeUnit.SECONDS.toNanos(i) / RECORDS_PER_SECOND;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            int index = i;
            producer.send(new ProducerRecord<>(EVENTS, id(i).getBytes(StandardCharsets.UTF_8), values[i]),
                (metadata, error) -> written.set(index, error == null ? metadata : null));
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while producing to " + EVENTS, e);
        }
        return written;
      }, runnable -> new Thread(runnable, "tm-failure-it-producer").start());
    }

    Map<SourcePosition, Integer> indexByPosition(AtomicReferenceArray<RecordMetadata> written) {
      Map<SourcePosition, Integer> indexAt = new HashMap<>();
      for (int i = 0; i < RECORDS; i++) {
        RecordMetadata metadata = written.get(i);
        assertThat(metadata).as("record %s acknowledged by the broker", id(i)).isNotNull();
        indexAt.put(new SourcePosition(metadata.topic(), metadata.partition(), metadata.offset()), i);
      }
      return indexAt;
    }
  }

  /** Everything a read_committed consumer sees on the four output topics, from their first offsets. */
  private static final class CommittedOutput implements AutoCloseable {
    final List<ScoredEvent> scores = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<ModelHealth> health = new ArrayList<>();
    private final Set<SourcePosition> scorePositions = new HashSet<>();
    private final Set<SourcePosition> deadLetterPositions = new HashSet<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final SingleObjectCodec<ScoredEvent> scoreCodec =
        SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
    private final SingleObjectCodec<Alert> alertCodec =
        SingleObjectCodec.forSpecific(Alert.class, SchemaStore.withGeneratedSchemas());
    private final SingleObjectCodec<DeadLetter> deadLetterCodec =
        SingleObjectCodec.forSpecific(DeadLetter.class, SchemaStore.withGeneratedSchemas());
    private final SingleObjectCodec<ModelHealth> healthCodec =
        SingleObjectCodec.forSpecific(ModelHealth.class, SchemaStore.withGeneratedSchemas());

    CommittedOutput(KafkaCluster kafka) {
      consumer = new KafkaConsumer<>(kafka.consumerProperties("tm-failure-reader-" + UUID.randomUUID()));
      partitions = Stream.of(SCORES, ALERTS, DEAD_LETTERS, MODEL_HEALTH).map(t -> new TopicPartition(t, 0))
          .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    void poll() {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
        switch (record.topic()) {
          case SCORES:
            ScoredEvent score = scoreCodec.decode(record.value());
            scores.add(score);
            scorePositions.add(score.getSource());
            break;
          case ALERTS:
            alerts.add(alertCodec.decode(record.value()));
            break;
          case MODEL_HEALTH:
            health.add(healthCodec.decode(record.value()));
            break;
          default:
            DeadLetter deadLetter = deadLetterCodec.decode(record.value());
            deadLetters.add(deadLetter);
            deadLetterPositions.add(deadLetter.getSource());
        }
      }
    }

    long healthScored() {
      return health.stream().mapToLong(ModelHealth::getScored).sum();
    }

    int distinctScorePositions() {
      return scorePositions.size();
    }

    int distinctDeadLetterPositions() {
      return deadLetterPositions.size();
    }

    /** Reads up to the last stable offset of every partition: everything committed, once the job is gone. */
    void drainToEnd() {
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime()).as("reading the output topics to %s", end).isLessThan(deadline);
        poll();
      }
    }

    void assertExactlyOnce(Input input, Map<SourcePosition, Integer> indexAt, Path model) throws Exception {
      Map<SourcePosition, ScoredEvent> scoreAt = exactlyOnce(scores, ScoredEvent::getSource, "score");
      Map<SourcePosition, DeadLetter> deadLetterAt = exactlyOnce(deadLetters, DeadLetter::getSource, "dead letter");
      Map<SourcePosition, Alert> alertAt = exactlyOnce(alerts, a -> a.getEvent().getSource(), "alert");

      Set<SourcePosition> validPositions = new HashSet<>();
      Set<SourcePosition> brokenPositions = new HashSet<>();
      indexAt.forEach((position, i) -> (input.defects[i] == null ? validPositions : brokenPositions).add(position));
      assertThat(scoreAt.keySet()).as("positions of the scores").isEqualTo(validPositions);
      assertThat(deadLetterAt.keySet()).as("positions of the dead letters").isEqualTo(brokenPositions);
      deadLetterAt.forEach((position, deadLetter) -> assertThat(deadLetter.getReason())
          .as("dead-letter reason at %s (%s)", position, input.defects[indexAt.get(position)])
          .isEqualTo(input.defects[indexAt.get(position)].reason));

      List<SourcePosition> ordered = validPositions.stream()
          .sorted(Comparator.comparing(SourcePosition::getPartition).thenComparing(SourcePosition::getOffset))
          .collect(Collectors.toList());
      double[] offline;
      double threshold;
      try (DensityModel m = DensityModel.load(model)) {
        offline = m.score(ordered.stream().map(p -> input.rows[indexAt.get(p)]).toArray(double[][]::new))
            .logLikelihood();
        threshold = m.calibration().orElseThrow().threshold();
      }
      Set<SourcePosition> flagged = new HashSet<>();
      for (int k = 0; k < ordered.size(); k++) {
        ScoredEvent score = scoreAt.get(ordered.get(k));
        assertThat(score.getId()).isEqualTo(id(indexAt.get(ordered.get(k))));
        assertThat(score.getLogLikelihood()).as("log-likelihood at %s", ordered.get(k)).isCloseTo(offline[k],
            within(EXACT));
        assertThat(score.getIsAnomaly()).as("anomaly flag at %s", ordered.get(k)).isEqualTo(offline[k] < threshold);
        if (score.getIsAnomaly()) {
          flagged.add(ordered.get(k));
        }
      }
      assertThat(flagged).as("anomalies").hasSizeGreaterThanOrEqualTo(RECORDS / 100);
      assertThat(alertAt.keySet()).as("positions of the alerts").isEqualTo(flagged);
    }

    private static <T> Map<SourcePosition, T> exactlyOnce(List<T> records, Function<T, SourcePosition> position,
        String what) {
      Map<SourcePosition, T> byPosition = new HashMap<>();
      List<SourcePosition> duplicates = new ArrayList<>();
      for (T record : records) {
        if (byPosition.putIfAbsent(position.apply(record), record) != null) {
          duplicates.add(position.apply(record));
        }
      }
      assertThat(duplicates).as("source positions with more than one committed %s", what).isEmpty();
      return byPosition;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static FeatureVector vector(String id, double[] features) {
    return FeatureVector.newBuilder().setId(id).setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
        .setFeatures(Arrays.stream(features).boxed().collect(Collectors.toList())).build();
  }

  private static String id(int i) {
    return "e" + i;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** The shaded job jar that this module's package phase wrote, as a user would submit it. */
  private static Path shadedJobJar() throws Exception {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().matches("impflow-flink-job-.*-job\\.jar"))
          .max(Comparator.comparing(f -> f.toFile().lastModified()))
          .orElseThrow(() -> new IllegalStateException("No shaded job jar impflow-flink-job-*-job.jar in " + target
              + "; run this test with ./mvnw -pl flink-job verify, which builds it in the package phase"));
    }
  }
}
