package io.impflow.job.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The scoring operator's metrics: records scored, alerts, calls into the model, micro-batch size, scoring latency per
 * batch (µs), solver iterations per record, the model version in use, model swaps and refused model updates, and
 * records that depart from a feature that was constant in training ({@code constantFeatureDepartures} in all, and
 * {@code departures} in the group {@code constantFeature=<name>} per feature, registered at its first departure).
 * The version is also a numeric gauge for reporters that only take numbers (Prometheus): {@code serving} in the group
 * {@code servingModel=<version>} is 1 while that version serves and 0 after it was swapped out.
 */
public final class ScoringMetrics {
  private static final int HISTOGRAM_WINDOW = 1024;

  private final Counter recordsScored;
  private final Counter alerts;
  private final Counter modelCalls;
  private final Histogram batchSize;
  private final Histogram scoringLatencyMicros;
  private final Histogram solverIterations;
  private final Counter modelSwaps;
  private final Counter modelUpdatesRefused;
  private final Counter constantFeatureDepartures;
  private final MetricGroup group;
  /** Per-feature departure counters, registered on first use; only the task thread counts. */
  private final Map<String, Counter> departuresByFeature = new HashMap<>();
  private final Supplier<String> modelVersion;
  /** Versions with a {@code serving} gauge; only the task thread registers. */
  private final Set<String> versionsSeen = new HashSet<>();

  /** Registers the metrics under {@code group}; {@code modelVersion} is read whenever a reporter asks. */
  public ScoringMetrics(MetricGroup group, Supplier<String> modelVersion) {
    recordsScored = group.counter("recordsScored");
    alerts = group.counter("alerts");
    modelCalls = group.counter("modelCalls");
    batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    scoringLatencyMicros = group.histogram("scoringLatencyMicros",
        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    solverIterations = group.histogram("solverIterations", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    group.gauge("modelVersion", (Gauge<String>) modelVersion::get);
    modelSwaps = group.counter("modelSwaps");
    modelUpdatesRefused = group.counter("modelUpdatesRefused");
    constantFeatureDepartures = group.counter("constantFeatureDepartures");
    this.group = group;
    this.modelVersion = modelVersion;
  }

  /** Registers the {@code serving} gauge of a version that starts serving (once per version). */
  public void modelServing(String version) {
    if (versionsSeen.add(version)) {
      group.addGroup("servingModel", version).gauge("serving",
          (Gauge<Integer>) () -> version.equals(modelVersion.get()) ? 1 : 0);
    }
  }

  /** Records one scored micro-batch of {@code size} rows that took {@code nanos} in the model. */
  public void batchScored(int size, long nanos) {
    batchSize.update(size);
    scoringLatencyMicros.update(nanos / 1000);
  }

  /** Records one scored record and the solver iterations it took. */
  public void recordScored(int iterations) {
    recordsScored.inc();
    solverIterations.update(iterations);
  }

  /** Records a switch to a newly verified model. */
  public void modelSwapped() {
    modelSwaps.inc();
  }

  /** Records a model update whose artifact was refused (counted by the single model-loader thread). */
  public void modelUpdateRefused() {
    modelUpdatesRefused.inc();
  }

  /** Records one call into the model: a micro-batch, or the attribution of a micro-batch's alerts. */
  public void modelCalled() {
    modelCalls.inc();
  }

  /**
   * Records one scored record that departs from the feature {@code featureName}, which was constant in training (its
   * log-likelihood is −∞).
   */
  public void constantFeatureDeparture(String featureName) {
    constantFeatureDepartures.inc();
    departuresByFeature.computeIfAbsent(featureName,
        name -> group.addGroup("constantFeature", name).counter("departures")).inc();
  }

  /** Records one alert. */
  public void alert() {
    alerts.inc();
  }
}
