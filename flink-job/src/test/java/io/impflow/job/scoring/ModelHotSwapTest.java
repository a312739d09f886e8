package io.impflow.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.TestModels;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.decode.RawRecord;
import io.impflow.model.DensityModel;
import io.impflow.model.store.ModelLocationPolicy;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model hot swap in the scoring operator, under Flink's two-input operator test harness with real artifacts. */
class ModelHotSwapTest {
  @TempDir
  static Path dir;
  static Path first;
  static Path second;
  /** A directory outside the model root. */
  @TempDir
  Path elsewhere;

  private final Random random = new Random(17);
  private final List<FeatureRecord> sent = new ArrayList<>();
  private TwoInputStreamOperatorTestHarness<FeatureRecord, ModelUpdate, ScoredEvent> harness;
  private MicroBatchScoringOperator operator;

  @BeforeAll
  static void writeModels() throws Exception {
    first = TestModels.writeCalibratedModel(dir.resolve("first"), 5);
    second = TestModels.writeCalibratedModel(dir.resolve("second"), 6);
  }

  @AfterEach
  void closeHarness() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private TwoInputStreamOperatorTestHarness<FeatureRecord, ModelUpdate, ScoredEvent> open(
      OperatorSubtaskState restoreFrom) throws Exception {
    operator = new MicroBatchScoringOperator(
        new ScoringSettings(first.toString(), TestModels.FEATURES, null, 256, 60_000,
            ModelLocationPolicy.of(List.of(dir.toString()))));
    harness = new TwoInputStreamOperatorTestHarness<>(operator);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static String version(Path artifact) throws Exception {
    try (DensityModel model = DensityModel.load(artifact)) {
      return model.version();
    }
  }

  private static ModelUpdate announce(Path artifact, String version, String sha256, List<String> features) {
    return ModelUpdate.newBuilder().setVersion(version).setUri(artifact.toUri().toString()).setSha256(sha256)
        .setFeatureNames(features).setCreatedAt(Instant.now()).build();
  }

  private static ModelUpdate announce(Path artifact) throws Exception {
    return announce(artifact, version(artifact), ServingModel.manifestSha256(artifact.toString()),
        TestModels.FEATURES);
  }

  /** Sends one record and scores everything buffered, as a checkpoint barrier would. */
  private ScoredEvent scoreOne() throws Exception {
    FeatureRecord record = new FeatureRecord("r" + sent.size(), 0L, TestModels.normalRow(random),
        new RawRecord("events", 0, sent.size(), 0L, null, new byte[] {1}));
    sent.add(record);
    harness.processElement1(new StreamRecord<>(record));
    harness.prepareSnapshotPreBarrier(sent.size());
    List<ScoredEvent> events = harness.extractOutputValues();
    return events.get(events.size() - 1);
  }

  private static double offline(Path artifact, double[] row) throws Exception {
    try (DensityModel model = DensityModel.load(artifact)) {
      return model.score(new double[][] {row}).logLikelihood()[0];
    }
  }

  @Test
  void switchesToAVerifiedModelBetweenBatches() throws Exception {
    open(null);
    ScoredEvent before = scoreOne();
    assertThat(before.getModelVersion()).isEqualTo(version(first));

    harness.processElement2(new StreamRecord<>(announce(second)));
    operator.awaitModelUpdates();
    assertThat(operator.servingVersion()).isEqualTo(version(second));
    ScoredEvent after = scoreOne();
    assertThat(after.getModelVersion()).isEqualTo(version(second));
    assertThat(after.getLogLikelihood()).isEqualTo(offline(second, sent.get(1).features));
    assertThat(before.getLogLikelihood()).isEqualTo(offline(first, sent.get(0).features));
  }

  @Test
  void refusesBadArtifactsAndKeepsServingTheOldModel() throws Exception {
    Path corrupt = dir.resolve("corrupt");
    Files.createDirectories(corrupt);
    try (Stream<Path> files = Files.list(second)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, corrupt.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path params = Files.list(corrupt).filter(p -> p.toString().endsWith(".bin")).findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(params, bytes);

    String secondVersion = version(second);
    String secondSha = ServingModel.manifestSha256(second.toString());
    List<ModelUpdate> badUpdates = List.of(
        announce(second, secondVersion, (secondSha.charAt(0) == '0' ? "1" : "0") + secondSha.substring(1),
            TestModels.FEATURES),
        announce(corrupt, secondVersion, ServingModel.manifestSha256(corrupt.toString()), TestModels.FEATURES),
        announce(second, secondVersion, secondSha, List.of("a", "b", "c", "d")),
        announce(second, "not-" + secondVersion, secondSha, TestModels.FEATURES),
        announce(dir.resolve("absent"), secondVersion, secondSha, TestModels.FEATURES));

    open(null);
    for (ModelUpdate bad : badUpdates) {
      harness.processElement2(new StreamRecord<>(bad));
      operator.awaitModelUpdates();
      assertThat(operator.servingVersion()).as("after %s", bad.getUri()).isEqualTo(version(first));
      ScoredEvent event = scoreOne();
      assertThat(event.getModelVersion()).isEqualTo(version(first));
      assertThat(event.getLogLikelihood()).isEqualTo(offline(first, sent.get(sent.size() - 1).features));
    }
  }

  /** Issue 14 point 8: an update pointing outside the model roots is refused before anything is read. */
  @Test
  void refusesUpdatesFromOutsideTheModelRootsAndKeepsServingTheOldModel() throws Exception {
    // a genuine artifact, but outside the root: the location alone refuses it
    Path outside = TestModels.writeCalibratedModel(elsewhere, 6);
    String secondVersion = version(second);
    String secondSha = ServingModel.manifestSha256(second.toString());
    List<String> locations = List.of(
        dir + "/first/../../" + outside.getParent().getFileName() + "/model",
        dir.resolve("second/model/../../..").toString() + outside.toString(),
        "file:" + dir + "/%2e%2e/" + outside.getParent().getFileName() + "/model",
        outside.toUri().toString(),
        "file:/etc",
        "http://localhost:1/models/" + secondVersion,
        "s3://bucket/models/" + secondVersion);
    open(null);
    for (String location : locations) {
      ModelUpdate update = ModelUpdate.newBuilder().setVersion(secondVersion).setUri(location).setSha256(secondSha)
          .setFeatureNames(TestModels.FEATURES).setCreatedAt(Instant.now()).build();
      assertThatThrownBy(() -> ServingModel.load(operator.settings(), update)).as(location)
          .isInstanceOf(ModelRefusedException.class)
          .hasMessageMatching("(?s).*(outside the model roots|not allowed).*");
      harness.processElement2(new StreamRecord<>(update));
      operator.awaitModelUpdates();
      assertThat(operator.servingVersion()).as("after %s", location).isEqualTo(version(first));
      assertThat(scoreOne().getModelVersion()).isEqualTo(version(first));
    }
    // the same artifact under the root is accepted
    harness.processElement2(new StreamRecord<>(announce(second)));
    operator.awaitModelUpdates();
    assertThat(operator.servingVersion()).isEqualTo(secondVersion);
  }

  @Test
  void aRestoredOperatorServesTheModelThatWasInUseAtTheCheckpoint() throws Exception {
    open(null);
    harness.processElement2(new StreamRecord<>(announce(second)));
    operator.awaitModelUpdates();
    scoreOne();
    OperatorSubtaskState snapshot = harness.snapshot(7, 7);
    harness.close();

    open(snapshot);
    assertThat(operator.servingVersion()).isEqualTo(version(second));
    assertThat(scoreOne().getModelVersion()).isEqualTo(version(second));
  }

  @Test
  void aRestoredOperatorServesTheCheckpointedModelAfterItsDirectoryIsGone() throws Exception {
    Path third = TestModels.writeCalibratedModel(dir.resolve("third"), 7);
    String thirdVersion = version(third);
    open(null);
    harness.processElement2(new StreamRecord<>(announce(third)));
    operator.awaitModelUpdates();
    scoreOne();
    OperatorSubtaskState snapshot = harness.snapshot(8, 8);
    harness.close();
    double[] row = TestModels.normalRow(random);
    double expected = offline(third, row);
    try (Stream<Path> files = Files.list(third)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.delete(file);
      }
    }
    Files.delete(third);

    open(snapshot);
    assertThat(operator.servingVersion()).isEqualTo(thirdVersion).isNotEqualTo(version(first));
    harness.processElement1(new StreamRecord<>(new FeatureRecord("gone", 0L, row,
        new RawRecord("events", 0, 99, 0L, null, new byte[] {1}))));
    harness.prepareSnapshotPreBarrier(9);
    ScoredEvent event = harness.extractOutputValues().get(0);
    assertThat(event.getModelVersion()).isEqualTo(thirdVersion);
    assertThat(event.getLogLikelihood()).isEqualTo(expected);
  }

  @Test
  void anUpdateReceivedBeforeABarrierIsAppliedInThatCheckpoint() throws Exception {
    open(null);
    harness.processElement2(new StreamRecord<>(announce(second)));
    // No wait for the background verification: the barrier itself must wait for it (the harness's snapshot() does
    // not run the pre-barrier step, the task does).
    harness.prepareSnapshotPreBarrier(10);
    OperatorSubtaskState snapshot = harness.snapshot(10, 10);
    assertThat(operator.servingVersion()).isEqualTo(version(second));
    harness.close();

    open(snapshot);
    assertThat(operator.servingVersion()).isEqualTo(version(second));
    assertThat(scoreOne().getModelVersion()).isEqualTo(version(second));
  }
}
