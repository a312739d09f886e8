package io.impflow.trainer.retrain;

import io.impflow.schemas.avro.DeadLetterReason;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a retraining decided, with its numbers: what {@code retrain} prints, writes as JSON and logs.
 *
 * @param at when the decision was made
 * @param published whether the candidate passed the gate and was published
 * @param reason why it was refused (the first failed check), or null when published
 * @param servingVersion the serving model it was compared with
 * @param candidateVersion the candidate's version id, or null when none was written
 * @param candidateUri the published version's URI in the store, or null
 * @param announced whether a ModelUpdate was written to the model-updates topic
 * @param window the window's origin
 * @param windowRows valid rows in the window
 * @param skipped records of the window skipped as the job would dead-letter them, by reason
 * @param trainingRows rows the candidate was fitted to (the older part of the window)
 * @param gate the gate's result, or null when the candidate did not get that far
 * @param retired versions deleted from the store by retention
 * @param trainingSeconds wall time of the fit
 */
public record RetrainDecision(Instant at, boolean published, String reason, String servingVersion,
    String candidateVersion, String candidateUri, boolean announced, String window, int windowRows,
    Map<DeadLetterReason, Long> skipped, int trainingRows, Gate.Result gate, List<String> retired,
    double trainingSeconds) {

  /** One line for stdout and the log. */
  public String summary() {
    String head = published
        ? "retrain: candidate " + candidateVersion + " passed the gate; published as " + candidateUri
            + (announced ? " and announced" : " (not announced: no --model-updates-topic)")
        : "retrain: candidate " + (candidateVersion == null ? "(none)" : candidateVersion) + " refused: " + reason
            + "; model " + servingVersion + " keeps serving";
    String numbers = gate == null ? "" : String.format(Locale.ROOT,
        " [gate rows %d, both-normal %d, mean log-likelihood candidate %.4f vs serving %.4f, alert rate candidate"
            + " %.4f vs serving %.4f (target %.4f, limit %.4f), not converged %d]", gate.rows(),
        gate.commonNormalRows(), gate.candidateMeanLogLikelihood(), gate.servingMeanLogLikelihood(),
        gate.candidateAlertRate(), gate.servingAlertRate(), gate.targetFpr(), gate.alertRateLimit(),
        gate.candidateNotConverged());
    return head + numbers;
  }

  /** The decision as a JSON-ready map (the {@code --report} file). */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("at", at.toString());
    json.put("decision", published ? "published" : "refused");
    json.put("reason", reason);
    json.put("serving_version", servingVersion);
    json.put("candidate_version", candidateVersion);
    json.put("candidate_uri", candidateUri);
    json.put("announced", announced);
    json.put("window", window);
    json.put("window_rows", windowRows);
    Map<String, Long> skippedJson = new LinkedHashMap<>();
    skipped.forEach((k, v) -> skippedJson.put(k.name(), v));
    json.put("skipped_records", skippedJson);
    json.put("training_rows", trainingRows);
    json.put("training_seconds", trainingSeconds);
    if (gate != null) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("passed", gate.passed());
      g.put("rows", gate.rows());
      g.put("common_normal_rows", gate.commonNormalRows());
      g.put("serving_mean_log_likelihood", finiteOrNull(gate.servingMeanLogLikelihood()));
      g.put("candidate_mean_log_likelihood", finiteOrNull(gate.candidateMeanLogLikelihood()));
      g.put("serving_alert_rate", finiteOrNull(gate.servingAlertRate()));
      g.put("candidate_alert_rate", finiteOrNull(gate.candidateAlertRate()));
      g.put("alert_rate_limit", finiteOrNull(gate.alertRateLimit()));
      g.put("target_fpr", gate.targetFpr());
      g.put("candidate_not_converged", gate.candidateNotConverged());
      g.put("candidate_lipschitz_max", finiteOrNull(gate.candidateLipschitzMax()));
      g.put("checks", gate.checks().stream().map(c -> Map.of("name", c.name(), "passed", c.passed(),
          "detail", c.detail())).toList());
      json.put("gate", g);
    }
    json.put("retired_versions", retired);
    return json;
  }

  private static Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
