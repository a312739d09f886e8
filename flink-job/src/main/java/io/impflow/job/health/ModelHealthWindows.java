package io.impflow.job.health;

import io.impflow.job.metrics.ModelHealthMetrics;
import io.impflow.schemas.avro.ModelHealth;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health windows: the scoring operator's per-micro-batch {@link BatchHealth} keyed by model version, merged in
 * tumbling windows into a {@link WindowHealth} (incrementally: the state is one accumulator per version and window,
 * never the batches), and written as one {@code ModelHealth} per version and window, with the per-version gauges
 * of {@link ModelHealthMetrics} updated at the same time.
 *
 * <p><b>Processing time, not event time.</b> Health answers "does the model serving now fit what it scores now",
 * an operational signal read next to the job's other metrics, so its windows close on the clock of the job: they are
 * written on time even when a partition is idle or event times are missing, skewed or replayed (the job falls back
 * to the Kafka record time, and users' timestamp fields can be anything), no watermarks have to be held back behind
 * the micro-batch buffer, and no scored record is ever late and dropped: each one is counted in exactly one window.
 * The price: a replay of old data is windowed by when it was scored, not by when it happened. Exactly once holds as
 * for the other outputs: window contents are checkpointed state and the sink is transactional, so after a restore
 * the records scored again are counted in the windows that commit, and never twice.
 */
public final class ModelHealthWindows {
  private ModelHealthWindows() {}

  /** The {@code ModelHealth} stream of the given micro-batch summaries. */
  public static SingleOutputStreamOperator<ModelHealth> of(DataStream<BatchHealth> batches, HealthSettings settings) {
    TypeInformation<WindowHealth> accumulator = TypeInformation.of(WindowHealth.class);
    return batches
        .keyBy(batch -> batch.modelVersion, TypeInformation.of(String.class))
        .window(TumblingProcessingTimeWindows.of(Duration.ofMillis(settings.windowMillis())))
        .trigger(new EndOfInputOrProcessingTimeTrigger())
        .aggregate(new Merge(), new ToRecord(settings), accumulator, accumulator,
            new AvroTypeInfo<>(ModelHealth.class));
  }

  /** Merges micro-batch summaries into the window's accumulator. */
  static final class Merge implements AggregateFunction<BatchHealth, WindowHealth, WindowHealth> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowHealth createAccumulator() {
      return new WindowHealth();
    }

    @Override
    public WindowHealth add(BatchHealth batch, WindowHealth window) {
      window.add(batch);
      return window;
    }

    @Override
    public WindowHealth getResult(WindowHealth window) {
      return window;
    }

    @Override
    public WindowHealth merge(WindowHealth a, WindowHealth b) {
      a.merge(b);
      return a;
    }
  }

  /** Turns a closed window into its record, updates the version's gauges, and logs a drifting window. */
  static final class ToRecord extends ProcessWindowFunction<WindowHealth, ModelHealth, String, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = LoggerFactory.getLogger(ModelHealthWindows.class);

    private final HealthSettings settings;
    private transient ModelHealthMetrics metrics;

    ToRecord(HealthSettings settings) {
      this.settings = settings;
    }

    @Override
    public void open(OpenContext context) throws Exception {
      super.open(context);
      metrics = new ModelHealthMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void process(String modelVersion, Context context, Iterable<WindowHealth> windows,
        Collector<ModelHealth> out) {
      for (WindowHealth window : windows) {
        ModelHealth health = window.toRecord(context.window().getStart(), context.window().getEnd(), settings);
        metrics.update(health);
        if (health.getDrift()) {
          LOGGER.warn("Model {} drifts in [{}, {}): the p-values of {} records are {} (Kolmogorov-Smirnov) from"
              + " uniform, above the threshold {}; mean log-likelihood {}, alert rate {} (target {})", modelVersion,
              health.getWindowStart(), health.getWindowEnd(), health.getScored(), health.getUniformityStatistic(),
              settings.driftThreshold(), health.getMeanLogLikelihood(), health.getAlertRate(), health.getTargetFpr());
        }
        out.collect(health);
      }
    }
  }
}
