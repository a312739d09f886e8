package io.impflow.demo;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.trainer.eval.DetectionMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one demo run: what went in, what came out, how fast, and how well the scores separate the
 * shuttle outliers from the normal rows.
 *
 * @param produced records written to {@code events}
 * @param rows valid rows among them
 * @param malformed malformed records among them
 * @param scored scores received for this run's rows
 * @param deadLetters dead letters received for this run's records
 * @param alerts alerts received
 * @param duplicates results received twice for one record (0 under exactly-once delivery)
 * @param seconds from the first record written to the last result received
 * @param latencyP50Millis median end-to-end latency, produce to committed score
 * @param latencyP99Millis 99th percentile of that latency
 * @param thresholdLogLikelihood the job's threshold: a record is an anomaly when its log-likelihood is below it
 * @param targetFpr the false-positive rate the served threshold was calibrated for (the demo's {@code --target-fpr})
 * @param detection precision, recall, AUROC and AUPRC of the scores against the labels
 * @param otherTargets the same scores at the other {@linkplain DemoTraining#REPORTED_TARGETS reported targets}
 *     ({@code train}'s default 0.1 % among them) of the served model's calibration
 * @param deadLettersByReason dead letters received, by reason
 * @param expectedDeadLetters malformed records injected, by the reason they must get
 * @param unexpectedDeadLetters dead letters with another reason than injected, or for valid rows
 * @param model the model used
 * @param checkpointIntervalMillis the job's checkpoint interval (scores are committed on checkpoints)
 * @param writeSeconds from the first record written to the last one acknowledged by the broker
 */
public record DemoSummary(int produced, int rows, int malformed, long scored, long deadLetters, long alerts,
    int duplicates, double seconds, long latencyP50Millis, long latencyP99Millis, double thresholdLogLikelihood,
    double targetFpr, DetectionMetrics detection, List<OperatingPoint> otherTargets,
    Map<DeadLetterReason, Integer> deadLettersByReason,
    Map<DeadLetterReason, Integer> expectedDeadLetters, List<String> unexpectedDeadLetters, TrainedModel model,
    long checkpointIntervalMillis, double writeSeconds) {

  /** Scores per input row of the plan, in plan order: log-likelihoods (NaN when not scored), flags and labels. */
  record Scores(double[] logLikelihood, boolean[] flags, int[] labels) {

    /** −log-likelihood, with rows that were not scored ranked as the most anomalous. */
    double[] anomalyScores() {
      return Arrays.stream(logLikelihood).map(ll -> Double.isNaN(ll) ? Double.POSITIVE_INFINITY : -ll).toArray();
    }
  }

  /** Lines up the received scores with the plan's labels. */
  static Scores align(ReplayPlan plan, Map<String, ScoredEvent> scores) {
    List<ReplayPlan.Entry> rows = plan.entries().stream().filter(entry -> entry.malformed() == null).toList();
    double[] ll = new double[rows.size()];
    boolean[] flags = new boolean[rows.size()];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ScoredEvent event = scores.get(rows.get(i).id());
      ll[i] = event == null ? Double.NaN : event.getLogLikelihood();
      flags[i] = event == null || event.getIsAnomaly();
      labels[i] = rows.get(i).label();
    }
    return new Scores(ll, flags, labels);
  }

  /** Whether every record written came back as exactly one score or one dead letter. */
  public boolean accountedFor() {
    return scored + deadLetters == produced && duplicates == 0;
  }

  /** Records (scores and dead letters) per second, first record written to last result received. */
  public double throughput() {
    return seconds > 0 ? (scored + deadLetters) / seconds : Double.NaN;
  }

  /**
   * Whether records were written clearly faster than the job scored them and waited in the topic for long: the
   * median latency is more than two checkpoint intervals.
   */
  public boolean queued() {
    return writeSeconds > 0 && produced / writeSeconds > 1.2 * throughput()
        && latencyP50Millis > 2 * checkpointIntervalMillis;
  }

  /** Whether every dead letter has the reason its injected record must get, and none is missing. */
  public boolean deadLettersAsInjected() {
    return unexpectedDeadLetters.isEmpty() && deadLettersByReason.equals(expectedDeadLetters);
  }

  /** The summary as the demo prints it. */
  public String format(Path reportDirectory) {
    StringBuilder text = new StringBuilder();
    line(text, "records written", String.format(Locale.ROOT, "%,d (%,d shuttle test rows, %,d of them outliers, + %,d"
        + " malformed)", produced, rows, detection.anomalies() == null ? 0 : detection.anomalies(), malformed));
    line(text, "records scored", String.format(Locale.ROOT, "%,d; dead letters %,d; scored + dead letters = %,d %s",
        scored, deadLetters, scored + deadLetters, accountedFor() ? "= written (nothing lost, nothing twice)"
            : "!= written " + produced + (duplicates > 0 ? ", " + duplicates + " duplicates" : "")));
    line(text, "throughput", String.format(Locale.ROOT, "%,.0f records/s (%,d results in %.1f s, first record"
        + " written to last result)", throughput(), scored + deadLetters, seconds));
    line(text, "end-to-end latency", String.format(Locale.ROOT, "p50 %,d ms, p99 %,d ms (written to committed score;"
        + " exactly-once output commits on each %,d ms checkpoint)", latencyP50Millis, latencyP99Millis,
        checkpointIntervalMillis));
    if (queued()) {
      line(text, "", String.format(Locale.ROOT, "records were written at %,.0f/s, faster than the job scored them,"
          + " so the latency is mostly queueing; --rate %d shows the latency of a stream the job keeps up with",
          produced / writeSeconds, Math.max(50, (long) (0.8 * throughput()) / 50 * 50)));
    }
    line(text, "alerts", String.format(Locale.ROOT, "%,d (log-likelihood below the calibrated threshold %.3f)%s",
        alerts, thresholdLogLikelihood, detection.constantDepartures() == 0 ? "" : String.format(Locale.ROOT,
            "; %,d rows depart from a feature that was constant in training (log-likelihood -Infinity)",
            detection.constantDepartures())));
    line(text, "at the threshold", String.format(Locale.ROOT, "%s (target FPR %s, %s; the job serves it)",
        flagFigures(detection), percent(targetFpr), targetFpr == DemoTraining.TRAIN_TARGET_FPR ? "train's default"
            : "the demo's --target-fpr"));
    for (OperatingPoint other : otherTargets) {
      boolean trainDefault = other.targetFpr() == DemoTraining.TRAIN_TARGET_FPR;
      line(text, "at " + (trainDefault ? "train's " : "") + percent(other.targetFpr()), String.format(Locale.ROOT,
          "%s (threshold %.3f%s)", flagFigures(other.detection()), other.thresholdLogLikelihood(), trainDefault
              ? ": what train writes by default, from the served model's held-out table and tail"
              : ": the served model's held-out table and tail at this target, for comparison"));
    }
    line(text, "ranking", String.format(Locale.ROOT, "AUROC %s, AUPRC %s (score = -log-likelihood vs. the shuttle"
        + " labels)", figure(detection.auroc()), figure(detection.auprc())));
    line(text, "dead letters", deadLetterText());
    line(text, "model", String.format(Locale.ROOT, "%s, %s (%s)", model.version(), model.reused()
        ? String.format(Locale.ROOT, "reused from the cache in %.1f s", model.seconds())
        : String.format(Locale.ROOT, "trained in %.0f s, best epoch %d", model.seconds(), model.bestEpoch()),
        model.directory()));
    if (reportDirectory != null) {
      line(text, "report", reportDirectory + " (index.html, score-histogram.png, roc-curve.png, summary.json)");
    }
    return text.toString();
  }

  private String deadLetterText() {
    if (deadLettersByReason.isEmpty() && expectedDeadLetters.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      int got = deadLettersByReason.getOrDefault(reason, 0);
      int expected = expectedDeadLetters.getOrDefault(reason, 0);
      if (got > 0 || expected > 0) {
        parts.add(reason + " " + got + (got == expected ? "" : " (injected " + expected + ")"));
      }
    }
    String text = String.join(", ", parts) + (deadLettersAsInjected() ? " - each as injected" : "");
    if (!unexpectedDeadLetters.isEmpty()) {
      text += "; unexpected: " + String.join("; ", unexpectedDeadLetters.subList(0,
          Math.min(3, unexpectedDeadLetters.size())));
    }
    return text;
  }

  /** The figures as a JSON-ready map (summary.json). */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("records_written", produced);
    map.put("rows", rows);
    map.put("malformed", malformed);
    map.put("scored", scored);
    map.put("dead_letters", deadLetters);
    map.put("alerts", alerts);
    map.put("duplicates", duplicates);
    map.put("accounted_for", accountedFor());
    map.put("seconds", seconds);
    map.put("throughput_records_per_second", throughput());
    map.put("latency_p50_ms", latencyP50Millis);
    map.put("latency_p99_ms", latencyP99Millis);
    map.put("checkpoint_interval_ms", checkpointIntervalMillis);
    map.put("write_seconds", writeSeconds);
    map.put("threshold_log_likelihood", thresholdLogLikelihood);
    map.put("target_fpr", targetFpr);
    map.put("detection", detection);
    List<Map<String, Object>> others = new ArrayList<>();
    for (OperatingPoint other : otherTargets) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("target_fpr", other.targetFpr());
      point.put("threshold_log_likelihood", other.thresholdLogLikelihood());
      point.put("detection", other.detection());
      others.add(point);
    }
    // the job flags at target_fpr; these thresholds come from the same calibration, as train would write them
    map.put("other_targets", others);
    map.put("dead_letters_by_reason", deadLettersByReason);
    map.put("dead_letters_injected", expectedDeadLetters);
    map.put("dead_letters_unexpected", unexpectedDeadLetters);
    Map<String, Object> modelMap = new LinkedHashMap<>();
    modelMap.put("version", model.version());
    modelMap.put("directory", model.directory().toString());
    modelMap.put("reused", model.reused());
    modelMap.put("seconds", model.seconds());
    map.put("model", modelMap);
    return map;
  }

  /** The p-th percentile (0..100) by nearest rank; 0 for no values. */
  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static String flagFigures(DetectionMetrics metrics) {
    return String.format(Locale.ROOT, "precision %s, recall %s, false-positive rate %s", figure(metrics.precision()),
        figure(metrics.recall()), figure(metrics.falsePositiveRate()));
  }

  /** A rate as a percentage without trailing zeros: 1 %, 0.1 %. */
  private static String percent(double rate) {
    return java.math.BigDecimal.valueOf(100 * rate).round(new java.math.MathContext(6)).stripTrailingZeros()
        .toPlainString() + " %";
  }

  private static String figure(Double value) {
    return value == null ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static void line(StringBuilder text, String name, String value) {
    text.append(String.format(Locale.ROOT, "  %-20s %s%n", name, value));
  }
}
