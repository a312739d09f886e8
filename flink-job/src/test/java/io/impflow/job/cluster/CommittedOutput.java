package io.impflow.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.DensityModel;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.model.scoring.ScoreAgreement;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything a read_committed consumer sees on a job's three output topics (and, when asked, its model-health topic),
 * from their first offsets, and the check that it is exactly once: every input record scored or dead-lettered once,
 * each score the offline score of the published model it names.
 */
final class CommittedOutput implements AutoCloseable {
  /**
   * Every score, of an ordinary or an extreme row (e.g. all features 0 where the model expects 1013 ± 8, |log p| ≈
   * 7,900), must equal offline scoring within this bound relative to max(1, |log p|) ({@link ScoreAgreement}).
   */
  static final double EXACT = ScoreAgreement.DEFAULT_TOLERANCE;

  final List<ScoredEvent> scores = new ArrayList<>();
  final List<Alert> alerts = new ArrayList<>();
  final List<DeadLetter> deadLetters = new ArrayList<>();
  final List<ModelHealth> health = new ArrayList<>();
  private final Set<SourcePosition> positions = new HashSet<>();
  private final String scoresTopic;
  private final String alertsTopic;
  private final String healthTopic;
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

  /** A reader of the three single-partition output topics. */
  CommittedOutput(KafkaCluster kafka, String scoresTopic, String alertsTopic, String deadLettersTopic) {
    this(kafka, scoresTopic, alertsTopic, deadLettersTopic, null);
  }

  /** A reader of the three single-partition output topics and the single-partition model-health topic. */
  CommittedOutput(KafkaCluster kafka, String scoresTopic, String alertsTopic, String deadLettersTopic,
      String healthTopic) {
    this.scoresTopic = scoresTopic;
    this.alertsTopic = alertsTopic;
    this.healthTopic = healthTopic;
    consumer = new KafkaConsumer<>(kafka.consumerProperties("committed-output-" + UUID.randomUUID()));
    List<TopicPartition> read = new ArrayList<>(List.of(new TopicPartition(scoresTopic, 0),
        new TopicPartition(alertsTopic, 0), new TopicPartition(deadLettersTopic, 0)));
    if (healthTopic != null) {
      read.add(new TopicPartition(healthTopic, 0));
    }
    partitions = List.copyOf(read);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what is committed now (one poll); returns how many output records arrived. */
  int poll() {
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
      count++;
      if (record.topic().equals(scoresTopic)) {
        ScoredEvent score = scoreCodec.decode(record.value());
        scores.add(score);
        positions.add(score.getSource());
      } else if (record.topic().equals(alertsTopic)) {
        alerts.add(alertCodec.decode(record.value()));
      } else if (record.topic().equals(healthTopic)) {
        health.add(healthCodec.decode(record.value()));
      } else {
        DeadLetter deadLetter = deadLetterCodec.decode(record.value());
        deadLetters.add(deadLetter);
        positions.add(deadLetter.getSource());
      }
    }
    return count;
  }

  /** Scored records counted by the committed model-health windows, all versions together. */
  long healthScored() {
    return health.stream().mapToLong(ModelHealth::getScored).sum();
  }

  /** Input positions that have a committed score or dead letter. */
  int distinctPositions() {
    return positions.size();
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

  /**
   * Asserts exactly-once output for {@code input}: every record is scored or dead-lettered exactly once, broken ones
   * with their defect's reason; every score names one of {@code published} (version to artifact) and equals that
   * model's offline score within {@link #EXACT} relative to max(1, |log p|), with its anomaly flag and
   * an alert exactly for the flagged; a well-formed record is dead-lettered only as {@code SOLVER_NOT_CONVERGED}, and only if offline scoring does not
   * score it either.
   *
   * @return what was checked, for the test's report
   */
  Checked assertExactlyOnce(StreamInput input, Map<SourcePosition, Integer> indexAt, Map<String, Path> published)
      throws Exception {
    Map<SourcePosition, ScoredEvent> scoreAt = exactlyOnce(scores, ScoredEvent::getSource, "score");
    Map<SourcePosition, DeadLetter> deadLetterAt = exactlyOnce(deadLetters, DeadLetter::getSource, "dead letter");
    Map<SourcePosition, Alert> alertAt = exactlyOnce(alerts, a -> a.getEvent().getSource(), "alert");
    assertThat(scoreAt.keySet()).as("positions both scored and dead-lettered")
        .doesNotContainAnyElementsOf(deadLetterAt.keySet());
    Set<SourcePosition> all = new HashSet<>(scoreAt.keySet());
    all.addAll(deadLetterAt.keySet());
    assertThat(all).as("positions with a score or a dead letter").isEqualTo(indexAt.keySet());

    List<SourcePosition> wellFormed = indexAt.keySet().stream().filter(p -> input.defects[indexAt.get(p)] == null)
        .sorted(Comparator.comparing(SourcePosition::getPartition).thenComparing(SourcePosition::getOffset))
        .collect(Collectors.toList());
    Map<String, Offline> offline = new LinkedHashMap<>();
    for (Map.Entry<String, Path> model : published.entrySet()) {
      offline.put(model.getKey(), Offline.score(model.getValue(),
          wellFormed.stream().map(p -> input.rows[indexAt.get(p)]).toArray(double[][]::new)));
    }
    Map<String, Integer> scoresByVersion = new HashMap<>();
    Set<SourcePosition> flagged = new HashSet<>();
    int notConverged = 0;
    double maxOrdinary = 0;
    double maxExtremeRelative = 0;
    for (int k = 0; k < wellFormed.size(); k++) {
      SourcePosition position = wellFormed.get(k);
      int i = indexAt.get(position);
      ScoredEvent score = scoreAt.get(position);
      if (score == null) {
        DeadLetter deadLetter = deadLetterAt.get(position);
        assertThat(deadLetter.getReason()).as("dead-letter reason of well-formed record %s", StreamInput.id(i))
            .isEqualTo(DeadLetterReason.SOLVER_NOT_CONVERGED);
        int row = k;
        assertThat(offline.values()).as("offline status of dead-lettered %s", StreamInput.id(i))
            .anySatisfy(o -> assertThat(o.scores.status()[row]).isEqualTo(RowStatus.NOT_CONVERGED));
        notConverged++;
        continue;
      }
      assertThat(score.getId()).isEqualTo(StreamInput.id(i));
      Offline model = offline.get(score.getModelVersion());
      assertThat(model).as("model version %s of the score at %s: one of the published %s",
          score.getModelVersion(), position, published.keySet()).isNotNull();
      scoresByVersion.merge(score.getModelVersion(), 1, Integer::sum);
      assertThat(model.scores.status()[k]).as("offline status at %s", position).isEqualTo(RowStatus.SCORED);
      double expected = model.scores.logLikelihood()[k];
      double relative = ScoreAgreement.relativeDifference(score.getLogLikelihood(), expected);
      if (input.extreme[i]) {
        maxExtremeRelative = Math.max(maxExtremeRelative, relative);
      } else {
        maxOrdinary = Math.max(maxOrdinary, relative);
      }
      assertThat(relative).as("|log p difference| / max(1, |log p|) of %s%s at %s: streamed %s, offline %s",
          StreamInput.id(i), input.extreme[i] ? " (extreme row)" : "", position, score.getLogLikelihood(), expected)
          .isLessThanOrEqualTo(EXACT);
      assertThat(score.getIsAnomaly()).as("anomaly flag at %s", position).isEqualTo(expected < model.threshold);
      if (score.getIsAnomaly()) {
        flagged.add(position);
      }
    }
    indexAt.forEach((position, i) -> {
      if (input.defects[i] != null) {
        assertThat(deadLetterAt.get(position)).as("dead letter of broken record %s (%s)", StreamInput.id(i),
            input.defects[i]).isNotNull();
        assertThat(deadLetterAt.get(position).getReason()).as("dead-letter reason of %s (%s)", StreamInput.id(i),
            input.defects[i]).isEqualTo(input.defects[i].reason);
      }
    });
    assertThat(flagged).as("anomalies").hasSizeGreaterThanOrEqualTo(input.records / 100);
    assertThat(alertAt.keySet()).as("positions of the alerts").isEqualTo(flagged);
    return new Checked(indexAt.size(), scoreAt.size(), deadLetterAt.size(), notConverged, alertAt.size(),
        scoresByVersion, maxOrdinary, maxExtremeRelative);
  }

  /**
   * What {@link #assertExactlyOnce} checked.
   *
   * @param records input records
   * @param scored records with a score
   * @param deadLettered records with a dead letter
   * @param notConverged well-formed records dead-lettered because the solver hit its cap
   * @param alerts alerts
   * @param scoresByVersion scores per model version
   * @param maxRelativeDifference largest log-likelihood difference from offline scoring relative to max(1, |log p|),
   *     ordinary rows
   * @param maxExtremeRelativeDifference the same, extreme rows
   */
  record Checked(int records, int scored, int deadLettered, int notConverged, int alerts,
      Map<String, Integer> scoresByVersion, double maxRelativeDifference, double maxExtremeRelativeDifference) {}

  /** One model's offline scores of the well-formed rows, and its threshold. */
  private record Offline(BatchScores scores, double threshold) {
    static Offline score(Path artifact, double[][] rows) throws Exception {
      try (DensityModel model = DensityModel.load(artifact)) {
        return new Offline(model.score(rows), model.calibration().orElseThrow().threshold());
      }
    }
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
