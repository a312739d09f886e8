package io.impflow.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.TestModels;
import io.impflow.job.scoring.ServingModel;
import io.impflow.model.DensityModel;
import io.impflow.model.solver.SolverSettings;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.flink.FlinkClusterException;
import io.impflow.testkit.flink.FlinkProcessCluster;
import io.impflow.testkit.flink.FlinkRestClient;
import io.impflow.testkit.kafka.KafkaProcessCluster;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on the multi-process Flink cluster, against a process broker, through the failures a
 * production deployment meets: the broker stopped and killed mid-stream, a rescale through savepoints, a TaskManager
 * killed while a model update is being applied, and a flood of pathological rows. Each time the read_committed
 * output holds every input record scored or dead-lettered exactly once, scored as offline scoring scores it. And a
 * submission with a bad flag is refused without taking the cluster down.
 *
 * <p>One broker and one Flink cluster serve all tests (each test has its own topics); each test prints what it
 * measured.
 */
// A hang guard, not a speed test: a job stuck in a restart loop would otherwise block the build forever.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JobReliabilityIT {
  private static final int RECORDS = 3_000;
  private static final int RECORDS_PER_SECOND = 150;
  /** Committed output to see before breaking anything: the job is well under way, with input still to come. */
  private static final int OUTPUT_BEFORE_FAILURE = 300;
  private static final Duration JOB_START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(240);
  /** How long each broker outage lasts: longer than a checkpoint interval, so transactions are open across it. */
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  /** The long outage: a minute beyond the sink producers' delivery timeout (Kafka's default, 2 minutes). */
  private static final Duration LONG_OUTAGE = Duration.ofMinutes(3);
  /** JUnit tag of the long outage test, which {@code ./mvnw verify} leaves out (profile {@code long-its}). */
  static final String LONG_OUTAGE_TAG = "long-outage";

  @TempDir
  static Path dir;
  private static KafkaProcessCluster kafka;
  private static FlinkProcessCluster flink;
  private static String jarId;
  private static Path modelV1;
  /** Jobs submitted by the running test. */
  private static final List<String> submitted = new ArrayList<>();

  @BeforeAll
  static void startClusters() throws Exception {
    kafka = KafkaProcessCluster.start();
    flink = FlinkProcessCluster.builder().taskManagers(1).slotsPerTaskManager(2).start();
    jarId = flink.rest().uploadJar(JobJar.shaded());
    modelV1 = TestModels.writeCalibratedModel(dir.resolve("v1"), 11);
  }

  /** Cancels what a failed test left running, so its slots do not starve the tests after it. */
  @AfterEach
  void cancelLeftoverJobs() {
    for (String jobId : submitted) {
      try {
        String state = flink.rest().jobState(jobId);
        if (!List.of("CANCELED", "FAILED", "FINISHED").contains(state)) {
          flink.rest().cancelJob(jobId, Duration.ofSeconds(60));
        }
      } catch (RuntimeException e) {
        System.err.println("impflow reliability IT: could not cancel leftover job " + jobId + ": " + e);
      }
    }
    submitted.clear();
  }

  @AfterAll
  static void stopClusters() {
    if (flink != null) {
      flink.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void theJobRidesOutABrokerStoppedAndLaterKilledAndLosesOrDuplicatesNothing() throws Exception {
    Topics topics = Topics.create("broker", false);
    StreamInput input = StreamInput.generate(RECORDS, new Random(21), false);
    FlinkRestClient rest = flink.rest();
    try (CommittedOutput output = topics.output()) {
      String jobId = topics.run(modelV1, 2);
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, topics.events, RECORDS_PER_SECOND);
      awaitOutput(output, jobId, OUTPUT_BEFORE_FAILURE);

      List<String> outages = new ArrayList<>();
      List<Double> recoveries = new ArrayList<>();
      for (String how : List.of("SIGTERM", "SIGKILL")) {
        long checkpointsBefore = rest.checkpointCounts(jobId).completed();
        int committedBefore = output.distinctPositions();
        long down = System.nanoTime();
        int status = how.equals("SIGTERM") ? kafka.stop(Duration.ofSeconds(60)) : kafka.kill();
        assertThat(status).as("broker exit status after %s", how).isEqualTo(how.equals("SIGTERM") ? 143 : 137);
        TimeUnit.NANOSECONDS.sleep(OUTAGE.toNanos());
        kafka.restart();
        long back = System.nanoTime();
        // Recovered: a checkpoint completed (its transactions committed) after the broker came back, and committed
        // output that was not there before the outage is readable.
        long checkpointsAtRestart = rest.checkpointCounts(jobId).completed();
        await(() -> rest.checkpointCounts(jobId).completed() > checkpointsAtRestart, "a checkpoint completed after"
            + " the broker's restart (" + how + ")", jobId);
        double checkpointAfter = seconds(back);
        await(() -> {
          output.poll();
          return output.distinctPositions() > committedBefore + 2 * RECORDS_PER_SECOND;
        }, "new committed output after the broker's restart (" + how + ")", jobId);
        double outputAfter = seconds(back);
        recoveries.add(checkpointAfter);
        outages.add(String.format("%s: broker down %.1f s; after its restart the first checkpoint completed in"
            + " %.1f s and %d more records were committed within %.1f s (completed checkpoints before the outage %d,"
            + " at the restart %d)", how, (back - down) / 1e9, checkpointAfter,
            output.distinctPositions() - committedBefore, outputAfter, checkpointsBefore, checkpointsAtRestart));
      }

      Map<SourcePosition, Integer> indexAt = finish(input, produced, output, jobId);
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();
      CommittedOutput.Checked checked = output.assertExactlyOnce(input, indexAt, Map.of(version(modelV1), modelV1));
      System.out.printf("impflow reliability IT, broker restart: %s; %s; checkpoints %s, job restarts %s%n",
          String.join("; ", outages), checked, checkpoints, restarts(jobId));
      assertThat(checked.records()).isEqualTo(RECORDS);
      assertThat(recoveries).as("recovery times (s)").hasSize(2);
    }
  }

  /**
   * A broker outage longer than the sink producers' delivery timeout (Kafka's default, 2 minutes): the sends fail,
   * so the job fails, restarts under its own strategy until the broker is back, and restores from its latest
   * checkpoint. A failing Kafka writer aborts its transaction while the broker is away; that times out, and Flink
   * takes an exception while handling a task's failure as fatal: the TaskManager JVM exits. The test restarts it
   * as a deployment's supervisor does (compose's {@code restart: on-failure}, a Kubernetes pod's restart). Excluded
   * from {@code ./mvnw verify} by its tag (it takes over 3 minutes); run it with {@code -Plong-its} (see
   * docs/reliability.md).
   */
  @Test
  @Tag(LONG_OUTAGE_TAG)
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void aBrokerOutageLongerThanTheDeliveryTimeoutFailsTheJobWhichRestoresAndLosesOrDuplicatesNothing()
      throws Exception {
    Topics topics = Topics.create("long-outage", false);
    StreamInput input = StreamInput.generate(RECORDS, new Random(25), false);
    FlinkRestClient rest = flink.rest();
    try (CommittedOutput output = topics.output()) {
      String jobId = topics.run(modelV1, 2);
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, topics.events, RECORDS_PER_SECOND);
      awaitOutput(output, jobId, OUTPUT_BEFORE_FAILURE);
      FlinkRestClient.CheckpointCounts before = rest.checkpointCounts(jobId);
      int committedBefore = output.distinctPositions();

      int taskManagers = flink.liveTaskManagers().size();
      List<Double> replaced = new ArrayList<>();
      long down = System.nanoTime();
      assertThat(kafka.stop(Duration.ofSeconds(60))).as("broker exit status after SIGTERM").isEqualTo(143);
      // Watch the job through the outage: when it first leaves RUNNING (a send failed after the delivery timeout,
      // or a checkpoint could not complete), and restart TaskManagers that exit.
      double failedAfter = -1;
      while (System.nanoTime() - down < LONG_OUTAGE.toNanos()) {
        if (failedAfter < 0 && !"RUNNING".equals(rest.jobState(jobId))) {
          failedAfter = seconds(down);
        }
        superviseTaskManagers(taskManagers, replaced, down);
        TimeUnit.MILLISECONDS.sleep(500);
      }
      String restartsDuringOutage = restarts(jobId);
      kafka.restart();
      long back = System.nanoTime();
      double outage = (back - down) / 1e9;
      long completedAtRestart = rest.checkpointCounts(jobId).completed();
      await(() -> superviseTaskManagers(taskManagers, replaced, down)
          && rest.checkpointCounts(jobId).completed() > completedAtRestart
          && rest.checkpointCounts(jobId).restored() > before.restored(), "a restore from a checkpoint and a"
          + " completed checkpoint after the broker came back", jobId);
      double recovery = seconds(back);
      await(() -> {
        output.poll();
        return superviseTaskManagers(taskManagers, replaced, down)
            && output.distinctPositions() > committedBefore + 2 * RECORDS_PER_SECOND;
      }, "new committed output after the outage", jobId);
      double outputAfter = seconds(back);

      Map<SourcePosition, Integer> indexAt = finish(input, produced, output, jobId);
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      String restarts = restarts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();
      CommittedOutput.Checked checked = output.assertExactlyOnce(input, indexAt, Map.of(version(modelV1), modelV1));
      System.out.printf("impflow reliability IT, long broker outage: broker down %.1f s (SIGTERM at %d committed"
          + " records); the job left RUNNING %.1f s into the outage, restarts during the outage %s; after the"
          + " broker's restart a restore from a checkpoint and a completed checkpoint within %.1f s, %d more records"
          + " committed within %.1f s; TaskManagers that exited and were restarted at (s into the outage) %s; %s;"
          + " checkpoints before %s, at the end %s, job restarts %s%n", outage, committedBefore, failedAfter,
          restartsDuringOutage, recovery, output.distinctPositions() - committedBefore, outputAfter, replaced, checked,
          before, checkpoints, restarts);
      assertThat(failedAfter).as("seconds into the outage when the job left RUNNING").isPositive();
      assertThat(Long.parseLong(restarts)).as("job restarts").isPositive();
      assertThat(checkpoints.restored()).as("restores from a checkpoint").isGreaterThan(before.restored());
      assertThat(checked.records()).isEqualTo(RECORDS);
    }
  }

  @Test
  void aRescaleThroughSavepointsFromOneToTwoAndBackKeepsTheModelInUseFromState() throws Exception {
    Topics topics = Topics.create("rescale", true);
    StreamInput input = StreamInput.generate(RECORDS, new Random(22), false);
    FlinkRestClient rest = flink.rest();
    Path modelDir = copy(modelV1, dir.resolve("rescale-model"));
    Path v2 = TestModels.writeCalibratedModel(dir.resolve("rescale-v2"), 12);
    Path v2Copy = copy(v2, dir.resolve("rescale-v2-kept"));
    Path v3 = TestModels.writeCalibratedModel(dir.resolve("rescale-v3"), 13);
    String v1Version = version(modelV1);
    String v2Version = version(v2);
    Map<String, Path> published = Map.of(v1Version, modelV1, v2Version, v2Copy);
    try (CommittedOutput output = topics.output()) {
      String first = topics.run(modelDir, 1);
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, topics.events, RECORDS_PER_SECOND);
      awaitOutput(output, first, OUTPUT_BEFORE_FAILURE / 2);
      topics.announce(v2, ServingModel.manifestSha256(v2.toString()));
      await(() -> {
        output.poll();
        return output.scores.stream().anyMatch(s -> s.getModelVersion().equals(v2Version));
      }, "scores by the announced model " + v2Version, first);

      String savepoint1 = rest.stopWithSavepoint(first, dir.resolve("savepoints"), OUTPUT_TIMEOUT);
      int atSavepoint1 = input.sent();
      // The model in use is not at a path any more, and --model now holds another model (v3).
      delete(v2);
      delete(modelDir);
      copy(v3, modelDir);
      String second = topics.run(modelDir, 2, "--from-savepoint", savepoint1);
      awaitOutput(output, second, output.distinctPositions() + OUTPUT_BEFORE_FAILURE);
      assertThat(rest.get("/jobs/" + second)).contains("\"parallelism\":2");

      String savepoint2 = rest.stopWithSavepoint(second, dir.resolve("savepoints"), OUTPUT_TIMEOUT);
      int atSavepoint2 = input.sent();
      Path moved = dir.resolve("rescale-model-moved");
      Files.move(modelDir, moved);
      String third = topics.run(moved, 1, "--from-savepoint", savepoint2);

      Map<SourcePosition, Integer> indexAt = finish(input, produced, output, third);
      rest.cancelJob(third, Duration.ofSeconds(60));
      output.drainToEnd();
      CommittedOutput.Checked checked = output.assertExactlyOnce(input, indexAt, published);
      assertThat(checked.scoresByVersion()).as("scores per model version; v3 (--model after the first run) is never"
          + " served").containsOnlyKeys(v1Version, v2Version);
      assertConvergesOn(output, v1Version, v2Version);
      System.out.printf("impflow reliability IT, rescale 1 -> 2 -> 1: savepoints after %d and %d of %d records"
          + " sent (%s, %s); %s%n", atSavepoint1, atSavepoint2, RECORDS, savepoint1, savepoint2, checked);
    }
  }

  @Test
  void aTaskManagerKilledWhileAModelUpdateIsAppliedRecoversOntoTheNewestAcceptedModel() throws Exception {
    Topics topics = Topics.create("swap", true);
    StreamInput input = StreamInput.generate(RECORDS, new Random(23), false);
    FlinkRestClient rest = flink.rest();
    Path v2 = TestModels.writeCalibratedModel(dir.resolve("swap-v2"), 14);
    String v2Sha = ServingModel.manifestSha256(v2.toString());
    String v1Version = version(modelV1);
    String v2Version = version(v2);
    // The announced artifact's manifest is a named pipe: a loader that reads it blocks until the test feeds it, so
    // the kill lands exactly while the update is being applied.
    Path announced = copy(v2, dir.resolve("swap-announced"));
    Path pipe = announced.resolve("manifest.json");
    Files.delete(pipe);
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
    try (CommittedOutput output = topics.output()) {
      String jobId = topics.run(modelV1, 2);
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, topics.events, RECORDS_PER_SECOND);
      awaitOutput(output, jobId, OUTPUT_BEFORE_FAILURE);

      CompletableFuture<OutputStream> loaderReading = CompletableFuture.supplyAsync(() -> {
        try {
          return new FileOutputStream(pipe.toFile());
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      });
      topics.announce(announced, v2Sha, v2Version);
      // A newer announcement that must be refused: its artifact does not match the announced digest.
      topics.announce(v2, "0".repeat(64), "refused-" + v2Version);
      OutputStream writer = loaderReading.get(OUTPUT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      String victim = flink.liveTaskManagers().get(0);
      int scoresAtKill = output.scores.size();
      assertThat(flink.killTaskManager(victim)).as("exit status of %s after SIGKILL", victim).isEqualTo(137);
      writer.close();
      Files.delete(pipe);
      Files.copy(v2.resolve("manifest.json"), pipe);
      String replacement = flink.startTaskManager();

      Map<SourcePosition, Integer> indexAt = finish(input, produced, output, jobId);
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();
      assertThat(checkpoints.restored()).as("the job was restored from a checkpoint").isPositive();
      CommittedOutput.Checked checked =
          output.assertExactlyOnce(input, indexAt, Map.of(v1Version, modelV1, v2Version, v2));
      assertConvergesOn(output, v1Version, v2Version);
      assertThat(Files.readString(flink.logFile(replacement))).as("log of the replacement TaskManager")
          .contains("Model update refused-" + v2Version);
      System.out.printf("impflow reliability IT, TaskManager killed during a model swap: %s killed with %d scores"
          + " committed, replaced by %s; checkpoints %s; %s%n", victim, scoresAtKill, replacement, checkpoints,
          checked);
    }
  }

  @Test
  void pathologicalRowsAreDeadLetteredInBoundedTimeAndCheckpointsStayUnderTheInterval() throws Exception {
    Topics topics = Topics.create("extreme", false);
    StreamInput input = StreamInput.generate(RECORDS, new Random(24), true);
    FlinkRestClient rest = flink.rest();
    Duration interval = Duration.ofSeconds(2);
    try (CommittedOutput output = topics.output()) {
      String jobId = topics.run(modelV1, 2, interval);
      // A checkpoint triggered before every task ran counts as failed; what matters is none fails from here on.
      long failedAtStart = rest.checkpointCounts(jobId).failed();
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced =
          input.produceAtSteadyPace(kafka, topics.events, RECORDS_PER_SECOND);
      Map<Long, Long> durations = new TreeMap<>();
      // The checkpoint history lists only the latest few checkpoints: read it while the rows stream.
      await(() -> {
        output.poll();
        durations.putAll(rest.completedCheckpointDurations(jobId));
        return produced.isDone() && output.distinctPositions() >= RECORDS;
      }, "every record scored or dead-lettered", jobId);
      Map<SourcePosition, Integer> indexAt = input.indexByPosition(produced.get());
      durations.putAll(rest.completedCheckpointDurations(jobId));
      FlinkRestClient.CheckpointCounts checkpoints = rest.checkpointCounts(jobId);
      rest.cancelJob(jobId, Duration.ofSeconds(60));
      output.drainToEnd();

      CommittedOutput.Checked checked = output.assertExactlyOnce(input, indexAt, Map.of(version(modelV1), modelV1));
      System.out.printf("impflow reliability IT, 10%% pathological rows: checkpoint durations (ms, by id) %s under"
          + " an interval of %d ms; checkpoints %s; %s%n", durations, interval.toMillis(), checkpoints, checked);
      assertThat(checked.notConverged()).as("well-formed rows the solver gave up on").isPositive();
      assertThat(output.deadLetters).filteredOn(d -> d.getReason() == DeadLetterReason.SOLVER_NOT_CONVERGED)
          .allSatisfy(d -> assertThat(iterationsIn(d)).as("iterations named by %s", d.getMessage())
              .isBetween(0, SolverSettings.DEFAULT.maxIterations()));
      assertThat(checkpoints.failed() - failedAtStart).as("checkpoints failed while the rows streamed").isZero();
      assertThat(durations).as("completed checkpoints while the rows streamed").hasSizeGreaterThanOrEqualTo(5);
      assertThat(durations.values()).as("checkpoint durations (ms)").allSatisfy(ms -> assertThat(ms)
          .isLessThan(interval.toMillis()));
    }
  }

  /**
   * A submission over REST runs the job's {@code main} inside the JobManager: a bad flag there fails the submission
   * with the flag's error, and the JobManager, with its TaskManager, runs on (it used to {@code System.exit(2)},
   * which took the whole session cluster down).
   */
  @Test
  void aBadFlagSubmittedOverRestFailsTheSubmissionAndTheClusterRunsOn() {
    FlinkRestClient rest = flink.rest();
    List<String> taskManagers = rest.taskManagerIds();
    assertThatThrownBy(() -> rest.runJar(jarId, AnomalyDetectionJob.class.getName(),
        List.of("--model", modelV1.toString(), "--batch-size", "4", "--batch-size", "0")))
        .isInstanceOf(FlinkClusterException.class)
        .hasMessageContaining("--batch-size given twice");
    assertThat(rest.taskManagerIds()).as("TaskManagers registered after the refused submission")
        .isEqualTo(taskManagers).isNotEmpty();
    assertThat(rest.get("/jobs/overview")).as("the JobManager still answers").contains("\"jobs\"");
  }

  /** One test's topics on the shared broker, and the job arguments that name them. */
  private record Topics(String prefix, String events, String scores, String alerts, String deadLetters,
      String health, String updates) {
    static Topics create(String name, boolean modelUpdates) {
      String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
      Topics topics = new Topics(prefix, prefix + "-events", prefix + "-scores", prefix + "-alerts",
          prefix + "-dead-letters", prefix + "-model-health", modelUpdates ? prefix + "-model-updates" : null);
      kafka.createTopics(2, topics.events);
      kafka.createTopics(1, topics.scores, topics.alerts, topics.deadLetters, topics.health);
      if (modelUpdates) {
        kafka.createTopics(1, topics.updates);
      }
      return topics;
    }

    CommittedOutput output() {
      return new CommittedOutput(kafka, scores, alerts, deadLetters);
    }

    /** Runs the job jar on the cluster and waits until it runs and has completed a checkpoint. */
    String run(Path model, int parallelism, String... extra) {
      return run(model, parallelism, Duration.ofSeconds(1), extra);
    }

    String run(Path model, int parallelism, Duration checkpointInterval, String... extra) {
      List<String> args = new ArrayList<>(List.of("--model", model.toString(),
          "--bootstrap-servers", kafka.bootstrapServers(), "--input-topic", events, "--scores-topic", scores,
          "--alerts-topic", alerts, "--dead-letters-topic", deadLetters, "--model-health-topic", health,
          "--starting-offsets", "earliest",
          "--checkpoint-interval", checkpointInterval.toMillis() + "ms", "--parallelism",
          Integer.toString(parallelism), "--group-id", prefix, "--transactional-id-prefix", prefix,
          // Every model the tests publish or announce lies under the test's directory.
          "--model-root", dir.toString()));
      if (updates != null) {
        args.addAll(List.of("--model-updates-topic", updates));
      }
      args.addAll(List.of(extra));
      FlinkRestClient rest = flink.rest();
      String jobId = rest.runJar(jarId, AnomalyDetectionJob.class.getName(), args);
      submitted.add(jobId);
      rest.awaitJobState(jobId, "RUNNING", JOB_START_TIMEOUT);
      await(() -> rest.checkpointCounts(jobId).completed() > 0, "a first completed checkpoint", jobId);
      return jobId;
    }

    void announce(Path artifact, String sha256) throws Exception {
      announce(artifact, sha256, version(artifact));
    }

    void announce(Path artifact, String sha256, String version) {
      ModelUpdate update = ModelUpdate.newBuilder().setVersion(version).setUri(artifact.toUri().toString())
          .setSha256(sha256).setFeatureNames(TestModels.FEATURES).setCreatedAt(Instant.now()).build();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
        producer.send(new ProducerRecord<>(updates,
            SingleObjectCodec.forSpecific(ModelUpdate.class, SchemaStore.empty()).encode(update)));
      }
    }
  }

  /**
   * Starts a TaskManager for each of the {@code wanted} that has exited, as a deployment's supervisor restarts a
   * failed container; records when (seconds since {@code since}). Returns true, to be used inside a wait condition.
   */
  private static boolean superviseTaskManagers(int wanted, List<Double> replaced, long since) {
    for (int live = flink.liveTaskManagers().size(); live < wanted; live++) {
      flink.startTaskManager();
      replaced.add(Math.round(seconds(since) * 10) / 10.0);
    }
    return true;
  }

  /** Waits until {@code output} has committed results for {@code positions} input records. */
  private static void awaitOutput(CommittedOutput output, String jobId, int positions) {
    await(() -> {
      output.poll();
      return output.distinctPositions() >= positions;
    }, positions + " records scored or dead-lettered", jobId);
  }

  /** Waits for the producer and for a result of every record; returns the input index by source position. */
  private static Map<SourcePosition, Integer> finish(StreamInput input,
      CompletableFuture<AtomicReferenceArray<RecordMetadata>> produced, CommittedOutput output, String jobId)
      throws Exception {
    Map<SourcePosition, Integer> indexAt =
        input.indexByPosition(produced.get(OUTPUT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    awaitOutput(output, jobId, input.records);
    return indexAt;
  }

  private static void await(BooleanSupplier condition, String what, String jobId) {
    long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      FlinkRestClient rest = flink.rest();
      assertThat(System.nanoTime()).as("waiting for %s (job %s is %s, checkpoints %s); %s", what, jobId,
          rest.jobState(jobId), rest.checkpointCounts(jobId), flink.logHint()).isLessThan(deadline);
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Asserts that, on every input partition, the scores in offset order switch once from {@code from} to {@code to}
   * and end with {@code to}: the job converged on the newer model and never went back.
   */
  private static void assertConvergesOn(CommittedOutput output, String from, String to) {
    Map<Integer, List<ScoredEvent>> byPartition = output.scores.stream()
        .collect(Collectors.groupingBy(s -> s.getSource().getPartition()));
    assertThat(byPartition).as("partitions with scores").hasSize(2);
    byPartition.forEach((partition, scores) -> {
      List<String> versions = scores.stream().sorted(Comparator.comparing(s -> s.getSource().getOffset()))
          .map(ScoredEvent::getModelVersion).collect(Collectors.toList());
      int firstNew = versions.indexOf(to);
      assertThat(firstNew).as("first score by %s on partition %d", to, partition).isPositive();
      assertThat(versions.subList(0, firstNew)).as("scores before the switch on partition %d", partition)
          .containsOnly(from);
      assertThat(versions.subList(firstNew, versions.size())).as("scores from the switch on partition %d",
          partition).containsOnly(to);
    });
  }

  private static final Pattern ITERATIONS = Pattern.compile("after (\\d+) iterations");

  private static int iterationsIn(DeadLetter deadLetter) {
    Matcher matcher = ITERATIONS.matcher(deadLetter.getMessage());
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
  }

  /** The job's {@code numRestarts} metric: how often it restarted after failures. */
  private static String restarts(String jobId) {
    Matcher matcher = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"")
        .matcher(flink.rest().get("/jobs/" + jobId + "/metrics?get=numRestarts"));
    return matcher.find() ? matcher.group(1) : "?";
  }

  private static String version(Path artifact) throws Exception {
    try (DensityModel model = DensityModel.load(artifact)) {
      return model.version();
    }
  }

  private static Path copy(Path artifact, Path target) throws Exception {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(artifact)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }

  private static void delete(Path artifact) throws Exception {
    try (Stream<Path> files = Files.list(artifact)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.delete(file);
      }
    }
    Files.delete(artifact);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
