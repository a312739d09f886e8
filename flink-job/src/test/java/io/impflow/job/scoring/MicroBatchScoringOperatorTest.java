package io.impflow.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.impflow.job.TestModels;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.health.BatchHealth;
import io.impflow.model.DensityModel;
import io.impflow.model.scoring.BatchScores;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.ScoredEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The micro-batch operator under Flink's operator test harness, with a real model and a manual clock. */
class MicroBatchScoringOperatorTest {
  @TempDir
  static Path dir;
  static Path model;

  private final Random random = new Random(11);
  private OneInputStreamOperatorTestHarness<FeatureRecord, ScoredEvent> harness;
  private MicroBatchScoringOperator operator;
  private final List<FeatureRecord> sent = new ArrayList<>();
  /** The operator's metric subgroups by "key=value", each intercepting its own metrics. */
  private final Map<String, InterceptingOperatorMetricGroup> subgroups = new HashMap<>();
  /** The operator's registered metrics, as a reporter would see them. */
  private final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup() {
    @Override
    public MetricGroup addGroup(String key, String value) {
      return subgroups.computeIfAbsent(key + "=" + value, k -> new InterceptingOperatorMetricGroup());
    }
  };
  private MockEnvironment environment;

  @BeforeAll
  static void writeModel() throws Exception {
    model = TestModels.writeCalibratedModel(dir, 5);
  }

  @AfterEach
  void closeHarness() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (environment != null) {
      environment.close();
    }
  }

  private void open(int batchSize, long timeoutMillis) throws Exception {
    open(model, TestModels.FEATURES, batchSize, timeoutMillis);
  }

  private void open(Path artifact, List<String> features, int batchSize, long timeoutMillis) throws Exception {
    operator = new MicroBatchScoringOperator(
        new ScoringSettings(artifact.toString(), features, null, batchSize, timeoutMillis));
    InterceptingTaskMetricGroup taskMetrics = new InterceptingTaskMetricGroup() {
      @Override
      public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name,
          Map<String, String> additionalVariables) {
        return metrics;
      }
    };
    environment = new MockEnvironmentBuilder().setMetricGroup(taskMetrics).build();
    harness = new OneInputStreamOperatorTestHarness<>(operator, environment);
    harness.setProcessingTime(0);
    harness.open();
  }

  private void send(double[] row) throws Exception {
    harness.processElement(new StreamRecord<>(record(row)));
  }

  private FeatureRecord record(double[] row) {
    FeatureRecord record = new FeatureRecord("r" + sent.size(), 1000L + sent.size(), row,
        new RawRecord("events", 0, sent.size(), 0L, null, new byte[] {1}));
    sent.add(record);
    return record;
  }

  /** Calls into the model so far, from the operator's {@code modelCalls} metric. */
  private long modelCalls() {
    return ((Counter) metrics.get("modelCalls")).getCount();
  }

  private List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    if (harness.getSideOutput(MicroBatchScoringOperator.ALERTS) != null) {
      harness.getSideOutput(MicroBatchScoringOperator.ALERTS).forEach(r -> alerts.add(r.getValue()));
    }
    return alerts;
  }

  private static double[] unboxed(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private int activeTimers() {
    return harness.getProcessingTimeService().getNumActiveTimers();
  }

  private List<ScoredEvent> scored() {
    return harness.extractOutputValues();
  }

  /** The model's own scores of the rows sent so far, as one batch. */
  private static double[] offline(List<FeatureRecord> records) throws Exception {
    return offline(model, records);
  }

  /** An artifact's own scores of the rows sent so far, as one batch. */
  private static double[] offline(Path artifact, List<FeatureRecord> records) throws Exception {
    double[][] rows = records.stream().map(r -> r.features).toArray(double[][]::new);
    try (DensityModel m = DensityModel.load(artifact)) {
      BatchScores scores = m.score(rows);
      return scores.logLikelihood();
    }
  }

  @Test
  void flushesWhenTheBatchIsFull() throws Exception {
    open(4, 60_000);
    for (int i = 0; i < 3; i++) {
      send(TestModels.normalRow(random));
    }
    assertThat(scored()).isEmpty();
    assertThat(operator.buffered()).isEqualTo(3);
    assertThat(activeTimers()).isEqualTo(1);

    send(TestModels.normalRow(random));
    assertThat(operator.buffered()).isZero();
    assertThat(activeTimers()).isZero();
    List<ScoredEvent> events = scored();
    assertThat(events).extracting(ScoredEvent::getId).containsExactly("r0", "r1", "r2", "r3");
    double[] expected = offline(sent);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getLogLikelihood()).isEqualTo(expected[i]);
      assertThat(events.get(i).getScore()).isEqualTo(-expected[i]);
    }
  }

  @Test
  void flushesAPartialBatchWhenTheTimeoutFires() throws Exception {
    open(256, 10);
    send(TestModels.normalRow(random));
    harness.setProcessingTime(5);
    send(TestModels.normalRow(random));
    harness.setProcessingTime(9);
    assertThat(scored()).isEmpty();
    harness.setProcessingTime(10);
    assertThat(scored()).extracting(ScoredEvent::getId).containsExactly("r0", "r1");
    assertThat(operator.buffered()).isZero();

    // The next record starts a new timeout from its own arrival.
    harness.setProcessingTime(100);
    send(TestModels.normalRow(random));
    harness.setProcessingTime(109);
    assertThat(scored()).hasSize(2);
    harness.setProcessingTime(110);
    assertThat(scored()).extracting(ScoredEvent::getId).containsExactly("r0", "r1", "r2");
  }

  @Test
  void flushesBeforeTheCheckpointBarrierSoNothingIsBufferedInASnapshot() throws Exception {
    open(256, 60_000);
    for (int i = 0; i < 5; i++) {
      send(TestModels.normalRow(random));
    }
    assertThat(scored()).isEmpty();

    harness.prepareSnapshotPreBarrier(1);
    assertThat(scored()).hasSize(5);
    assertThat(operator.buffered()).isZero();
    assertThat(activeTimers()).isZero();
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    assertThat(snapshot.getRawOperatorState()).isEmpty();
    assertThat(snapshot.getManagedKeyedState()).isEmpty();

    // The only state is which model is in use: a restored operator has nothing buffered and emits nothing.
    MicroBatchScoringOperator restoredOperator = new MicroBatchScoringOperator(
        new ScoringSettings(model.toString(), TestModels.FEATURES, null, 256, 60_000));
    try (OneInputStreamOperatorTestHarness<FeatureRecord, ScoredEvent> restored =
        new OneInputStreamOperatorTestHarness<>(restoredOperator)) {
      restored.initializeState(snapshot);
      restored.open();
      assertThat(restoredOperator.buffered()).isZero();
      restored.endInput();
      assertThat(restored.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void anomaliesAlsoGoToTheAlertsSideOutputWithAttribution() throws Exception {
    open(3, 60_000);
    send(TestModels.normalRow(random));
    send(TestModels.anomalousRow(random));
    send(TestModels.normalRow(random));

    List<ScoredEvent> events = scored();
    assertThat(events).hasSize(3);
    assertThat(events.get(1).getIsAnomaly()).isTrue();
    assertThat(events.get(1).getLogLikelihood()).isLessThan(events.get(1).getThreshold());
    List<Alert> alerts = alerts();
    assertThat(alerts).extracting(a -> a.getEvent().getId()).contains("r1");
    Alert alert = alerts.stream().filter(a -> a.getEvent().getId().equals("r1")).findFirst().orElseThrow();
    assertThat(alert.getFeatureNames()).containsExactlyElementsOf(TestModels.FEATURES);
    assertThat(alert.getAttribution()).hasSize(4).allSatisfy(v -> assertThat(v).isFinite());
    assertThat(harness.getSideOutput(MicroBatchScoringOperator.DEAD_LETTERS)).isNull();
  }

  @Test
  void allAlertsOfABatchShareOneAttributionCallWithTheAttributionsOfScoringThemOneByOne() throws Exception {
    int batchSize = 12;
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < batchSize; i++) {
      rows.add(i % 2 == 0 ? TestModels.anomalousRow(random) : TestModels.normalRow(random));
    }

    // One by one: a micro-batch per record, so each alert gets an attribution call of its own.
    open(1, 60_000);
    for (double[] row : rows) {
      send(row);
    }
    List<Alert> oneByOne = alerts();
    assertThat(oneByOne).hasSizeGreaterThanOrEqualTo(batchSize / 2);
    assertThat(modelCalls()).isEqualTo(batchSize + oneByOne.size());
    harness.close();
    harness = null;
    environment.close();
    sent.clear();

    // The same records as one micro-batch: one scoring call and one attribution call for all alerts.
    open(batchSize, 60_000);
    for (double[] row : rows) {
      send(row);
    }
    List<Alert> batched = alerts();
    assertThat(scored()).hasSize(batchSize);
    assertThat(modelCalls()).isEqualTo(2);
    assertThat(batched).extracting(a -> a.getEvent().getId())
        .containsExactlyElementsOf(oneByOne.stream().map(a -> a.getEvent().getId()).toList());

    try (DensityModel m = DensityModel.load(model)) {
      for (int k = 0; k < batched.size(); k++) {
        double[] attribution = unboxed(batched.get(k).getAttribution());
        assertThat(attribution).hasSize(TestModels.FEATURES.size());
        assertThat(attribution).containsExactly(unboxed(oneByOne.get(k).getAttribution()), within(1e-12));
        // The model library's own one-row attribution: the same probes, scored without the other alerts.
        double[] features = unboxed(batched.get(k).getFeatures());
        assertThat(attribution).containsExactly(m.attribution(features), within(1e-12));
      }
    }

    // A batch without alerts costs exactly one call.
    double[][] quiet = {TestModels.normalRow(random), TestModels.normalRow(random)};
    for (int i = 0; i < batchSize; i++) {
      send(quiet[i % 2]);
    }
    assertThat(scored()).hasSize(2 * batchSize);
    assertThat(alerts()).hasSameSizeAs(batched);
    assertThat(modelCalls()).isEqualTo(3);
  }

  @Test
  void aRecordDepartingFromAFeatureConstantInTrainingAlertsWithTheFeatureNamedAndIsCounted() throws Exception {
    Path constantModel = TestModels.writeCalibratedModelWithConstantFeature(dir.resolve("constant"), 7);
    open(constantModel, TestModels.FEATURES_WITH_CONSTANT, 3, 60_000);
    send(TestModels.withFirmware(TestModels.normalRow(random), TestModels.FIRMWARE));
    send(TestModels.withFirmware(TestModels.normalRow(random), TestModels.FIRMWARE + 1));
    send(TestModels.withFirmware(TestModels.normalRow(random), TestModels.FIRMWARE));

    List<ScoredEvent> events = scored();
    assertThat(events).extracting(ScoredEvent::getId).containsExactly("r0", "r1", "r2");
    assertThat(harness.getSideOutput(MicroBatchScoringOperator.DEAD_LETTERS)).isNull();
    double[] expected = offline(constantModel, sent);
    // Records with the training value are scored as usual, exactly as the model scores them offline.
    for (int i : new int[] {0, 2}) {
      assertThat(events.get(i).getLogLikelihood()).isFinite().isEqualTo(expected[i]);
      assertThat(events.get(i).getIsAnomaly()).isEqualTo(expected[i] < events.get(i).getThreshold());
    }
    ScoredEvent departed = events.get(1);
    assertThat(departed.getLogLikelihood()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(departed.getScore()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(departed.getIsAnomaly()).isTrue();
    // the smallest p-value the calibration gives: 0 beyond a fitted tail's end point, else 1 / (n + 1)
    assertThat(departed.getPValue()).isGreaterThanOrEqualTo(0.0).isLessThan(0.01)
        .isLessThanOrEqualTo(events.get(0).getPValue()).isLessThanOrEqualTo(events.get(2).getPValue());

    Alert alert = alerts().stream().filter(a -> a.getEvent().getId().equals("r1")).findFirst().orElseThrow();
    assertThat(alert.getEvent()).isEqualTo(departed);
    assertThat(alert.getFeatureNames()).containsExactlyElementsOf(TestModels.FEATURES_WITH_CONSTANT);
    double[] attribution = unboxed(alert.getAttribution());
    assertThat(attribution).hasSize(5);
    assertThat(alert.getFeatureNames().get(2)).isEqualTo("firmware");
    assertThat(attribution[2]).isEqualTo(Double.NEGATIVE_INFINITY);
    for (int j : new int[] {0, 1, 3, 4}) {
      assertThat(attribution[j]).isFinite();
    }
    // A matching record that alerts anyway names no departure: the constant feature's entry is 0.
    alerts().stream().filter(a -> !a.getEvent().getId().equals("r1"))
        .forEach(a -> assertThat(a.getAttribution().get(2)).isZero());

    assertThat(((Counter) metrics.get("constantFeatureDepartures")).getCount()).isEqualTo(1);
    assertThat(((Counter) subgroups.get("constantFeature=firmware").get("departures")).getCount()).isEqualTo(1);
    assertThat(((Counter) metrics.get("recordsScored")).getCount()).isEqualTo(3);
  }

  @Test
  void anUncalibratedModelServesOnlyWithAThresholdAndItsRefusalSaysWhatToDo() throws Exception {
    String uncalibrated = model.resolveSibling("uncalibrated").toString();
    assertThatThrownBy(() -> ServingModel.load(
        new ScoringSettings(uncalibrated, TestModels.FEATURES, null, 4, 10), uncalibrated))
        .isInstanceOf(ModelRefusedException.class)
        .hasMessageContaining("is not calibrated")
        .hasMessageContaining("--threshold")
        .hasMessageContaining("./impflow train");
    try (ServingModel serving = ServingModel.load(
        new ScoringSettings(uncalibrated, TestModels.FEATURES, -20.0, 4, 10), uncalibrated)) {
      assertThat(serving.router().threshold()).isEqualTo(-20.0);
    }
  }

  @Test
  void everyMicroBatchSummarizesItsScoresForTheHealthWindowsAndAWatermarkWaitsForTheBuffer() throws Exception {
    open(4, 60_000);
    for (int i = 0; i < 10; i++) {
      send(i % 3 == 1 ? TestModels.anomalousRow(random) : TestModels.normalRow(random));
    }
    assertThat(operator.buffered()).isEqualTo(2);
    harness.processWatermark(new Watermark(Long.MAX_VALUE));

    // The watermark is forwarded after the two buffered records were scored, never before.
    List<Object> output = new ArrayList<>(harness.getOutput());
    assertThat(output.get(output.size() - 1)).isEqualTo(new Watermark(Long.MAX_VALUE));
    assertThat(output.stream().filter(o -> o instanceof StreamRecord).count()).isEqualTo(10);

    List<BatchHealth> batches = new ArrayList<>();
    harness.getSideOutput(MicroBatchScoringOperator.HEALTH).forEach(r -> batches.add(r.getValue()));
    assertThat(batches).extracting(b -> b.scored).containsExactly(4L, 4L, 2L);
    List<ScoredEvent> events = scored();
    double targetFpr;
    try (DensityModel m = DensityModel.load(model)) {
      targetFpr = m.calibration().orElseThrow().targetFpr();
    }
    int next = 0;
    for (BatchHealth batch : batches) {
      List<ScoredEvent> ofBatch = events.subList(next, next + (int) batch.scored);
      next += (int) batch.scored;
      assertThat(batch.modelVersion).isEqualTo(operator.servingVersion());
      assertThat(batch.targetFpr).isEqualTo(targetFpr).isEqualTo(0.01);
      assertThat(batch.finite).isEqualTo(batch.scored);
      assertThat(batch.alerts).isEqualTo(ofBatch.stream().filter(ScoredEvent::getIsAnomaly).count());
      assertThat(batch.pValues).containsExactly(ofBatch.stream().mapToDouble(ScoredEvent::getPValue).toArray());
      assertThat(batch.logLikelihood.value()).isCloseTo(
          ofBatch.stream().mapToDouble(ScoredEvent::getLogLikelihood).sum(), within(1e-9));
    }
    assertThat(batches.stream().mapToLong(b -> b.alerts).sum()).isPositive();
  }

  @Test
  void endOfInputFlushesTheRest() throws Exception {
    open(256, 60_000);
    send(TestModels.normalRow(random));
    harness.endInput();
    assertThat(scored()).hasSize(1);
  }
}
