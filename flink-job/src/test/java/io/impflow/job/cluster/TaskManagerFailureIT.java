package io.impflow.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.TestModels;
import io.impflow.model.DensityModel;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.testkit.flink.FlinkProcessCluster;
import io.impflow.testkit.flink.FlinkRestClient;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.RecordMetadata;
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
  private static final Duration JOB_START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(180);
  private static final String EVENTS = "events";
  private static final String SCORES = "scores";
  private static final String ALERTS = "alerts";
  private static final String DEAD_LETTERS = "dead-letters";
  private static final String MODEL_HEALTH = "model-health";

  @TempDir
  Path dir;

  @Test
  void aKilledTaskManagerIsReplacedAndEveryRecordIsScoredOrDeadLetteredExactlyOnce() throws Exception {
    long start = System.nanoTime();
    Path model = TestModels.writeCalibratedModel(dir, 11);
    Path jobJar = JobJar.shaded();
    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(2, EVENTS);
    kafka.createTopics(1, SCORES, ALERTS, DEAD_LETTERS, MODEL_HEALTH);
    StreamInput input = StreamInput.generate(RECORDS, new Random(17), false);

    // The job sets its own restart strategy (exponential delay); the cluster's default does not matter.
    try (FlinkProcessCluster cluster = FlinkProcessCluster.builder().taskManagers(1).slotsPerTaskManager(2).start();
        CommittedOutput output = new CommittedOutput(kafka, SCORES, ALERTS, DEAD_LETTERS, MODEL_HEALTH)) {
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
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, EVENTS, RECORDS_PER_SECOND);

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
      while (output.distinctPositions() < RECORDS) {
        output.poll();
        assertThat(System.nanoTime()).as("all %d records scored or dead-lettered after the recovery (have %d, job %s,"
            + " checkpoints %s); %s", RECORDS, output.distinctPositions(), rest.jobState(jobId),
            rest.checkpointCounts(jobId), logs).isLessThan(deadline);
      }
      // The health windows close on the clock, a second after their last record: wait for them to commit too.
      while (output.healthScored() < output.scores.size()) {
        output.poll();
        assertThat(System.nanoTime()).as("model-health windows counting all %d scores (have %d); %s",
            output.scores.size(), output.healthScored(), logs).isLessThan(deadline);
      }
      double recoveredAt = seconds(start);
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();
      System.out.printf("impflow cluster IT: job running at %.1f s, %s killed at %.1f s (%d of %d scores committed),"
          + " all output committed at %.1f s via %s; checkpoints %s%n", startedAt, victim, killedAt, scoresAtKill,
          RECORDS - input.broken(), recoveredAt, replacement, checkpoints);

      assertThat(scoresAtKill).as("the kill came mid-stream").isLessThan(RECORDS - input.broken());
      assertThat(checkpoints.restored()).as("the job was restored from a checkpoint; %s", logs).isPositive();
      assertThat(cluster.liveTaskManagers()).containsExactly(replacement);
      String version;
      try (DensityModel m = DensityModel.load(model)) {
        version = m.version();
      }
      CommittedOutput.Checked checked = output.assertExactlyOnce(input, indexAt, Map.of(version, model));
      assertThat(checked.records()).isEqualTo(RECORDS);
      // Health windows are checkpointed state with a transactional sink: across the kill and the restore every
      // scored record is counted in exactly one committed window.
      assertThat(output.healthScored()).as("records counted by the committed model-health windows")
          .isEqualTo(checked.scored());
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
