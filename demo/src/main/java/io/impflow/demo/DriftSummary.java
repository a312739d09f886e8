package io.impflow.demo;

import io.impflow.schemas.avro.ModelHealth;
import io.impflow.trainer.report.ReportWriter;
import io.impflow.trainer.retrain.RetrainDecision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of the lifecycle steps ({@code --drift}).
 *
 * @param shift the shift of normal behaviour, in words
 * @param servingVersion the model that served before the swap
 * @param candidateVersion the retrained model the job swapped to
 * @param targetFpr the false-positive rate both thresholds were calibrated for
 * @param baseline the old model on the unchanged normal rows
 * @param shifted the old model on the shifted rows (the retrain's window)
 * @param freshOld the old model on fresh shifted rows it scored before the swap reached the job
 * @param freshNew the new model on fresh shifted rows, after the swap
 * @param driftWindow the first health window flagged as drift
 * @param driftSeconds seconds from the start of the shifted replay until the drift report was read
 * @param decision the retrain's decision with the gate's numbers
 * @param swapSeconds seconds from the announcement until the first record scored by the new model was read
 * @param windows every health window of the lifecycle steps
 * @param startMillis when the baseline replay started (epoch ms)
 * @param shiftMillis when the shifted replay started
 * @param announceMillis when the new model was announced
 * @param swapMillis when the first record scored by the new model was read
 * @param written valid records the lifecycle steps wrote
 * @param scored distinct records of them scored
 * @param duplicates records scored more than once
 */
public record DriftSummary(String shift, String servingVersion, String candidateVersion, double targetFpr,
    Rates baseline, Rates shifted, Rates freshOld, Rates freshNew, ModelHealth driftWindow, double driftSeconds,
    RetrainDecision decision, double swapSeconds, List<ModelHealth> windows, long startMillis, long shiftMillis,
    long announceMillis, long swapMillis, long written, long scored, int duplicates) {

  /**
   * One model on one set of rows.
   *
   * @param rows rows it scored
   * @param alerts of those, rows it flagged
   * @param meanLogLikelihood their mean log-likelihood (NaN when none was finite)
   */
  public record Rates(long rows, long alerts, double meanLogLikelihood) {
    /** Alerts per row (NaN without rows). */
    public double alertRate() {
      return rows == 0 ? Double.NaN : (double) alerts / rows;
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("rows", rows);
      map.put("alerts", alerts);
      map.put("alert_rate", alertRate());
      map.put("mean_log_likelihood", meanLogLikelihood);
      return map;
    }
  }

  /** Whether every record the lifecycle steps wrote was scored exactly once. */
  public boolean accountedFor() {
    return scored == written && duplicates == 0;
  }

  /** The alert rate after the swap in multiples of the target. */
  public double recoveredRatio() {
    return freshNew.alertRate() / targetFpr;
  }

  /** The before/after lines printed at the end of the lifecycle steps. */
  public String rateLines() {
    StringBuilder text = new StringBuilder();
    line(text, "baseline, old model", baseline);
    line(text, "shifted, old model", shifted);
    if (freshOld.rows() > 0) {
      line(text, "fresh shifted, old model (before the swap)", freshOld);
    }
    line(text, "fresh shifted, new model", freshNew);
    text.append(String.format(Locale.ROOT, "  after the swap the alert rate is %.1f x the target %.3f%n",
        recoveredRatio(), targetFpr));
    return text.toString();
  }

  private static void line(StringBuilder text, String what, Rates rates) {
    text.append(String.format(Locale.ROOT, "  %-44s %,7d rows  alert rate %.4f  mean log-likelihood %8.2f%n", what,
        rates.rows(), rates.alertRate(), rates.meanLogLikelihood()));
  }

  /** The lifecycle part of the summary. */
  public String format() {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "  model lifecycle (--drift): shift %s%n", shift));
    text.append(String.format(Locale.ROOT, "    drift      reported %.1f s after the shift started (window p-value"
        + " distance %.3f > %.3f, alert rate %.3f)%n", driftSeconds, driftWindow.getUniformityStatistic(),
        driftWindow.getDriftThreshold(), driftWindow.getAlertRate()));
    text.append(String.format(Locale.ROOT, "    retrain    %s%n", decision.summary()));
    text.append(String.format(Locale.ROOT, "    swap       %s -> %s, %.1f s after the announcement%n", servingVersion,
        candidateVersion, swapSeconds));
    text.append(String.format(Locale.ROOT, "    alert rate baseline %.4f, shifted %.4f (old model), fresh shifted %.4f"
        + " (new model; target %.4f)%n", baseline.alertRate(), shifted.alertRate(), freshNew.alertRate(),
        targetFpr));
    text.append(String.format(Locale.ROOT, "    records    %,d written, %,d scored, %,d duplicates%n", written, scored,
        duplicates));
    text.append("    chart      model-health.png in the report: alert rate and mean log-likelihood per window, the"
        + " shift, the drift report and the swap marked\n");
    return text.toString();
  }

  /** The health windows as timeline points (seconds from the baseline's start), labelled by model. */
  public List<ReportWriter.HealthPoint> points() {
    return windows.stream().map(w -> new ReportWriter.HealthPoint(
        (w.getWindowEnd().toEpochMilli() - startMillis) / 1e3,
        (w.getModelVersion().equals(servingVersion) ? "old model " : "new model ") + w.getModelVersion(),
        w.getAlertRate(), w.getMeanLogLikelihood())).toList();
  }

  /** The timeline's markers: shift, drift report and swap, in seconds from the baseline's start. */
  public Map<String, Double> events() {
    Map<String, Double> events = new LinkedHashMap<>();
    events.put("shift", (shiftMillis - startMillis) / 1e3);
    events.put("drift reported", (shiftMillis - startMillis) / 1e3 + driftSeconds);
    events.put("swap", (swapMillis - startMillis) / 1e3);
    return events;
  }

  /** For {@code summary.json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("shift", shift);
    map.put("serving_version", servingVersion);
    map.put("candidate_version", candidateVersion);
    map.put("target_fpr", targetFpr);
    map.put("baseline", baseline.toMap());
    map.put("shifted", shifted.toMap());
    map.put("fresh_old_model", freshOld.toMap());
    map.put("fresh_new_model", freshNew.toMap());
    map.put("drift_seconds_after_shift", driftSeconds);
    map.put("drift_window_distance", driftWindow.getUniformityStatistic());
    map.put("retrain", decision.toJson());
    map.put("swap_seconds_after_announcement", swapSeconds);
    map.put("windows", windows.stream().map(w -> {
      Map<String, Object> window = new LinkedHashMap<>();
      window.put("seconds", (w.getWindowEnd().toEpochMilli() - startMillis) / 1e3);
      window.put("model_version", w.getModelVersion());
      window.put("scored", w.getScored());
      window.put("alert_rate", w.getAlertRate());
      window.put("mean_log_likelihood", w.getMeanLogLikelihood());
      window.put("uniformity_statistic", w.getUniformityStatistic());
      window.put("drift", w.getDrift());
      return window;
    }).toList());
    map.put("written", written);
    map.put("scored", scored);
    map.put("duplicates", duplicates);
    return map;
  }
}
