package io.impflow.job.scoring;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.metrics.DeadLetterCounters;
import io.impflow.job.metrics.ScoringMetrics;
import io.impflow.model.DensityModel;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ScoredEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature records in micro-batches: buffers up to {@code batchSize} records or {@code batchTimeout} ms of
 * processing time, scores them with one call into the model, and emits scores (main output), alerts and dead letters
 * (side outputs).
 *
 * <p>The buffer is flushed in {@link #prepareSnapshotPreBarrier}, before the checkpoint barrier is forwarded, so no
 * record is ever buffered across a checkpoint and the operator has no state to snapshot. Each subtask loads its own
 * model in {@link #open()} and checks it is the model the job was built for.
 */
public final class MicroBatchScoringOperator extends AbstractStreamOperator<ScoredEvent>
    implements OneInputStreamOperator<FeatureRecord, ScoredEvent>, BoundedOneInput, ProcessingTimeCallback {
  private static final long serialVersionUID = 1L;

  /** Side output of anomalies. */
  public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts", new AvroTypeInfo<>(Alert.class));
  /** Side output of records the model could not score. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("scoring-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private static final String TORCH_ENGINE = "PyTorch";

  private final ScoringSettings settings;

  private transient DensityModel model;
  private transient ScoredBatchRouter router;
  private transient List<FeatureRecord> buffer;
  private transient ScheduledFuture<?> timer;
  private transient ScoringMetrics metrics;
  private transient DeadLetterCounters deadLetterCounters;
  private transient ScoredOutputs outputs;

  /** An operator scoring with the model and batching the settings describe. */
  public MicroBatchScoringOperator(ScoringSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open() throws Exception {
    super.open();
    model = DensityModel.load(Path.of(settings.modelPath()));
    // Torch records autograd history per thread; the scoring (task) thread never needs it. The engine must be
    // loaded before its JNI calls work.
    Engine.getEngine(TORCH_ENGINE);
    JniUtils.setGradMode(false);
    if (!model.featureNames().equals(settings.featureNames())) {
      throw new IllegalStateException("model artifact " + settings.modelPath() + " now has features "
          + model.featureNames() + " but the job was built for " + settings.featureNames()
          + "; the artifact changed after start-up: restart the job");
    }
    router = settings.router(model);
    buffer = new ArrayList<>(settings.batchSize());
    metrics = new ScoringMetrics(getMetricGroup(), model::version);
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
  public void onProcessingTime(long time) {
    timer = null;
    flush();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
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
      if (model != null) {
        model.close();
      }
    } finally {
      super.close();
    }
  }

  /** Records waiting for their micro-batch (for tests and metrics). */
  public int buffered() {
    return buffer.size();
  }

  private void flush() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (buffer == null || buffer.isEmpty()) {
      return;
    }
    double[][] rows = new double[buffer.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = buffer.get(i).features;
    }
    long start = System.nanoTime();
    BatchScores scores = model.score(rows);
    metrics.batchScored(rows.length, System.nanoTime() - start);
    for (int i = 0; i < rows.length; i++) {
      if (scores.status()[i] == RowStatus.SCORED) {
        metrics.recordScored(scores.iterations()[i]);
      }
    }
    router.route(buffer, scores, outputs);
    buffer.clear();
  }

  /** Emits routed results into the operator's main and side outputs, counting them. */
  private final class EmittingOutputs implements ScoredOutputs {
    @Override
    public void score(ScoredEvent event) {
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
