package io.impflow.job.scoring;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.health.BatchHealth;
import io.impflow.job.metrics.DeadLetterCounters;
import io.impflow.job.metrics.ScoringMetrics;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores feature records in micro-batches: buffers up to {@code batchSize} records or {@code batchTimeout} ms of
 * processing time, scores them with one call into the model (plus one for the attribution of all the batch's alerts,
 * if it has any), and emits scores (main output), alerts and dead letters (side outputs), and per micro-batch a
 * {@link BatchHealth} summary for the model-health windows (side output).
 *
 * <p>The buffer is flushed in {@link #prepareSnapshotPreBarrier}, before the checkpoint barrier is forwarded, so no
 * record is ever buffered across a checkpoint; the only state is the artifact (its files) of the model in use, so a
 * restore serves that model whatever has happened to its directory since. Each subtask loads its own model in
 * {@link #open()} and checks it is the model the job was built for.
 *
 * <p>Used as a one-input operator without hot swap, or as a two-input operator whose second input is the broadcast
 * stream of {@link ModelUpdate}s: each update is loaded and verified on a background thread, off the hot path; a
 * verified model replaces the serving one atomically between two batches, a refused one is logged and counted while
 * the old model keeps serving.
 */
public final class MicroBatchScoringOperator extends AbstractStreamOperator<ScoredEvent>
    implements OneInputStreamOperator<FeatureRecord, ScoredEvent>,
    TwoInputStreamOperator<FeatureRecord, ModelUpdate, ScoredEvent>, BoundedOneInput, ProcessingTimeCallback {
  private static final long serialVersionUID = 1L;

  /** Side output of anomalies. */
  public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts", new AvroTypeInfo<>(Alert.class));
  /** Side output of records the model could not score. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("scoring-dead-letters", new AvroTypeInfo<>(DeadLetter.class));
  /** Side output of one health summary per micro-batch with scored records, for the model-health windows. */
  public static final OutputTag<BatchHealth> HEALTH =
      new OutputTag<>("batch-health", TypeInformation.of(BatchHealth.class));

  private static final Logger LOGGER = LoggerFactory.getLogger(MicroBatchScoringOperator.class);
  private static final String TORCH_ENGINE = "PyTorch";
  /** The artifact files of the serving model ({@link ServingModel#snapshot()}), written by subtask 0 only. */
  private static final ListStateDescriptor<byte[]> MODEL_IN_USE =
      new ListStateDescriptor<>("model-artifact-in-use", BytePrimitiveArraySerializer.INSTANCE);

  private final ScoringSettings settings;

  /** Written only by the task thread; read by the model loader to skip re-announcements of the serving model. */
  private transient volatile ServingModel serving;
  private transient byte[] restoredModel;
  private transient ListState<byte[]> modelInUse;
  private transient AtomicReference<ServingModel> verifiedUpdate;
  private transient ExecutorService modelLoader;
  private transient List<FeatureRecord> buffer;
  private transient ScheduledFuture<?> timer;
  private transient ScoringMetrics metrics;
  private transient DeadLetterCounters deadLetterCounters;
  private transient ScoredOutputs outputs;
  /** The health summary of the micro-batch being routed; null between batches. */
  private transient BatchHealth batchHealth;

  /** An operator scoring with the model and batching the settings describe. */
  public MicroBatchScoringOperator(ScoringSettings settings) {
    this.settings = settings;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    modelInUse = context.getOperatorStateStore().getUnionListState(MODEL_IN_USE);
    for (byte[] snapshot : modelInUse.get()) {
      restoredModel = snapshot;
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    // After a restore, serve the model that was in use at the checkpoint (it may be a hot-swapped one), from the
    // checkpoint itself: its artifact directory, and --model, may have been moved or replaced since.
    if (restoredModel != null) {
      serving = ServingModel.restore(settings, restoredModel);
      LOGGER.info("Restored model {} from the checkpoint (it was loaded from {})", serving.version(), serving.path());
    } else {
      serving = ServingModel.load(settings, settings.modelPath());
    }
    // Torch records autograd history per thread; the scoring (task) thread never needs it. The engine must be
    // loaded before its JNI calls work.
    Engine.getEngine(TORCH_ENGINE);
    JniUtils.setGradMode(false);
    verifiedUpdate = new AtomicReference<>();
    modelLoader = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "impflow-model-loader " + getOperatorName());
      thread.setDaemon(true);
      return thread;
    });
    buffer = new ArrayList<>(settings.batchSize());
    metrics = new ScoringMetrics(getMetricGroup(), () -> serving.version());
    metrics.modelServing(serving.version());
    deadLetterCounters = new DeadLetterCounters(getMetricGroup());
    outputs = new EmittingOutputs();
  }

  @Override
  public void processElement(StreamRecord<FeatureRecord> element) throws Exception {
    buffer.add(element.getValue());
    if (buffer.size() >= settings.batchSize()) {
      flush();
    } else if (timer == null) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      timer = getProcessingTimeService().registerTimer(now + settings.batchTimeoutMillis(), this);
    }
  }

  @Override
  public void processElement1(StreamRecord<FeatureRecord> element) throws Exception {
    processElement(element);
  }

  /** Starts loading and verifying an announced model off the task thread; the switch happens between batches. */
  @Override
  public void processElement2(StreamRecord<ModelUpdate> element) {
    ModelUpdate update = element.getValue();
    modelLoader.execute(() -> verify(update));
    switchToVerifiedUpdate();
  }

  @Override
  public void onProcessingTime(long time) {
    timer = null;
    flush();
  }

  /**
   * Before the barrier: applies (or refuses) every model update received so far, so a checkpoint never holds an
   * update that its sources have consumed but the operator has not applied (it would be lost on restore), then
   * scores the buffer.
   */
  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    awaitModelUpdates();
    flush();
  }

  /**
   * Emits the buffered records before forwarding a watermark, so nothing downstream sees a record behind a watermark
   * that passed it. The job's sources emit no watermarks, so this is the final one at the end of a bounded input,
   * which fires the last health window (the flush in {@link #endInput} would come after it).
   */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush();
    super.processWatermark(mark);
  }

  /**
   * Checkpoints the serving model's artifact files. Every subtask serves the same model at a barrier (the updates
   * are broadcast and aligned with the barriers), so subtask 0's copy stands for all, at any parallelism.
   */
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    boolean first = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
    modelInUse.update(first ? List.of(serving.snapshot()) : List.of());
  }

  @Override
  public void endInput() {
    flush();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (modelLoader != null) {
        modelLoader.shutdownNow();
        modelLoader.awaitTermination(1, TimeUnit.MINUTES);
      }
      ServingModel pending = verifiedUpdate == null ? null : verifiedUpdate.getAndSet(null);
      if (pending != null) {
        pending.close();
      }
      if (serving != null) {
        serving.close();
      }
    } finally {
      super.close();
    }
  }

  /** Records waiting for their micro-batch (for tests and metrics). */
  public int buffered() {
    return buffer.size();
  }

  /** The settings it scores with. */
  ScoringSettings settings() {
    return settings;
  }

  /** The version of the model serving now. */
  public String servingVersion() {
    return serving.version();
  }

  /** Waits until every model update received so far has been verified or refused, then applies the outcome. */
  void awaitModelUpdates() throws Exception {
    modelLoader.submit(() -> { }).get(1, TimeUnit.MINUTES);
    switchToVerifiedUpdate();
  }

  private void verify(ModelUpdate update) {
    if (update.getVersion().equals(serving.version())) {
      return;
    }
    try {
      ServingModel verified = ServingModel.load(settings, update);
      ServingModel replaced = verifiedUpdate.getAndSet(verified);
      if (replaced != null) {
        replaced.close();
      }
      LOGGER.info("Model update {} from {} verified; it replaces {} at the next micro-batch", update.getVersion(),
          update.getUri(), serving.version());
    } catch (ModelRefusedException | RuntimeException e) {
      metrics.modelUpdateRefused();
      LOGGER.error("Model update {} from {} refused, model {} keeps serving: {}", update.getVersion(), update.getUri(),
          serving.version(), e.getMessage());
    }
  }

  private void switchToVerifiedUpdate() {
    ServingModel verified = verifiedUpdate.getAndSet(null);
    if (verified == null) {
      return;
    }
    ServingModel previous = serving;
    serving = verified;
    metrics.modelSwapped();
    metrics.modelServing(verified.version());
    LOGGER.info("Now serving model {} from {} (was {})", verified.version(), verified.path(), previous.version());
    previous.close();
  }

  private void flush() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (buffer == null || buffer.isEmpty()) {
      return;
    }
    switchToVerifiedUpdate();
    double[][] rows = new double[buffer.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = buffer.get(i).features;
    }
    long start = System.nanoTime();
    BatchScores scores = score(rows);
    metrics.batchScored(rows.length, System.nanoTime() - start);
    List<String> featureNames = serving.model().featureNames();
    for (int i = 0; i < rows.length; i++) {
      if (scores.status()[i] == RowStatus.SCORED) {
        metrics.recordScored(scores.iterations()[i]);
        int departed = scores.constantDeparture()[i];
        if (departed >= 0) {
          metrics.constantFeatureDeparture(featureNames.get(departed));
        }
      }
    }
    batchHealth = new BatchHealth(serving.version(), serving.targetFpr(), rows.length);
    serving.router().route(buffer, scores, this::attribution, outputs);
    if (batchHealth.scored > 0) {
      output.collect(HEALTH, new StreamRecord<>(batchHealth.trimmed()));
    }
    batchHealth = null;
    buffer.clear();
  }

  /** Every call into the serving model goes through here or {@link #attribution}, so {@code modelCalls} counts them. */
  private BatchScores score(double[][] rows) {
    metrics.modelCalled();
    return serving.model().score(rows);
  }

  /** The serving model's attribution of all alerts of a batch, one model call. */
  private double[][] attribution(double[][] rows) {
    metrics.modelCalled();
    return serving.model().attribution(rows);
  }

  /** Emits routed results into the operator's main and side outputs, counting them. */
  private final class EmittingOutputs implements ScoredOutputs {
    @Override
    public void score(ScoredEvent event) {
      batchHealth.add(event.getLogLikelihood(), event.getPValue(), event.getIsAnomaly());
      output.collect(new StreamRecord<>(event));
    }

    @Override
    public void alert(Alert alert) {
      metrics.alert();
      output.collect(ALERTS, new StreamRecord<>(alert));
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
      deadLetterCounters.count(deadLetter.getReason());
      output.collect(DEAD_LETTERS, new StreamRecord<>(deadLetter));
    }
  }
}
