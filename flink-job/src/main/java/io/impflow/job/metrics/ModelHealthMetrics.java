package io.impflow.job.metrics;

import io.impflow.schemas.avro.ModelHealth;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Per model version, in the metric group {@code model=<version>} (registered when the version's first window closes):
 * gauges of its last closed health window ({@code windowScored}, {@code meanLogLikelihood}, {@code alertRate},
 * {@code targetFpr}, {@code uniformityStatistic}, {@code drift} as 0/1) and a counter of its flagged windows
 * ({@code driftWindows}).
 */
public final class ModelHealthMetrics {
  private final MetricGroup group;
  /** Only the task thread registers and updates; reporters read the volatile latest record. */
  private final Map<String, Latest> byVersion = new HashMap<>();

  /** Metrics under {@code group}. */
  public ModelHealthMetrics(MetricGroup group) {
    this.group = group;
  }

  /** Publishes a closed window's health as its version's current values. */
  public void update(ModelHealth health) {
    Latest latest = byVersion.get(health.getModelVersion());
    if (latest == null) {
      latest = new Latest(group.addGroup("model", health.getModelVersion()), health);
      byVersion.put(health.getModelVersion(), latest);
    } else {
      latest.health = health;
    }
    if (health.getDrift()) {
      latest.driftWindows.inc();
    }
  }

  /** The last window of one version, read by the gauges. */
  private static final class Latest {
    volatile ModelHealth health;
    final Counter driftWindows;

    Latest(MetricGroup group, ModelHealth first) {
      health = first;
      group.gauge("windowScored", (Gauge<Long>) () -> health.getScored());
      group.gauge("meanLogLikelihood", (Gauge<Double>) () -> health.getMeanLogLikelihood());
      group.gauge("alertRate", (Gauge<Double>) () -> health.getAlertRate());
      group.gauge("targetFpr", (Gauge<Double>) () -> health.getTargetFpr());
      group.gauge("uniformityStatistic", (Gauge<Double>) () -> health.getUniformityStatistic());
      group.gauge("drift", (Gauge<Integer>) () -> health.getDrift() ? 1 : 0);
      driftWindows = group.counter("driftWindows");
    }
  }
}
