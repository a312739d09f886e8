package io.impflow.trainer.retrain;

import io.impflow.model.scoring.RowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The retraining gate's arithmetic: compares a candidate with the serving model on rows the candidate did not train
 * on. A candidate passes only when every check passes:
 * <ul>
 *   <li>{@code features}: it has the serving model's feature names, in order;</li>
 *   <li>{@code lipschitz}: every residual MLP's exact Lipschitz bound is below 1 (the artifact's guarantee);</li>
 *   <li>{@code solver}: every row's solve converges under the candidate;</li>
 *   <li>{@code log-likelihood}: on the rows both models call normal, the candidate's mean log-likelihood is at most
 *       the tolerance below the serving model's (skipped, and said so, when fewer rows than the minimum qualify);</li>
 *   <li>{@code alert-rate}: the share of rows the candidate flags at its own threshold is at most
 *       {@code factor × target + 3 σ}, or at most the serving model's share at its own threshold + 3 σ
 *       (σ the binomial standard deviation at the target rate), so a stream that really holds anomalies does not
 *       stop every retrain.</li>
 * </ul>
 */
public final class Gate {

  /**
   * One model's scores of the gate rows.
   *
   * @param logLikelihood per row, meaningful where {@code status} is SCORED
   * @param status per row
   * @param threshold the model's calibrated log-likelihood threshold
   */
  public record Scores(double[] logLikelihood, RowStatus[] status, double threshold) {
    /** Whether row {@code i} was scored and is at or above the threshold. */
    boolean normal(int i) {
      return status[i] == RowStatus.SCORED && logLikelihood[i] >= threshold;
    }

    /** Whether row {@code i} was scored and is below the threshold (−∞ included). */
    boolean flagged(int i) {
      return status[i] == RowStatus.SCORED && !(logLikelihood[i] >= threshold);
    }

    int count(RowStatus wanted) {
      int n = 0;
      for (RowStatus s : status) {
        n += s == wanted ? 1 : 0;
      }
      return n;
    }
  }

  /**
   * A check and its outcome.
   *
   * @param name short name
   * @param passed whether it passed
   * @param detail the numbers and, for a failure, the reason
   */
  public record Check(String name, boolean passed, String detail) {}

  /**
   * The gate's numbers and checks.
   *
   * @param passed whether every check passed
   * @param checks every check, in order
   * @param rows gate rows
   * @param commonNormalRows rows both models call normal
   * @param servingMeanLogLikelihood the serving model's mean log-likelihood of those rows (NaN when none)
   * @param candidateMeanLogLikelihood the candidate's mean log-likelihood of those rows (NaN when none)
   * @param servingAlertRate share of scored rows the serving model flags
   * @param candidateAlertRate share of scored rows the candidate flags
   * @param alertRateLimit the most the candidate may flag
   * @param targetFpr the target false-positive rate
   * @param candidateNotConverged rows whose solve did not converge under the candidate
   * @param candidateLipschitzMax the candidate's largest Lipschitz bound
   */
  public record Result(boolean passed, List<Check> checks, int rows, int commonNormalRows,
      double servingMeanLogLikelihood, double candidateMeanLogLikelihood, double servingAlertRate,
      double candidateAlertRate, double alertRateLimit, double targetFpr, int candidateNotConverged,
      double candidateLipschitzMax) {

    /** The first failed check's detail, or null when the gate passed. */
    public String reason() {
      return checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).findFirst()
          .orElse(null);
    }
  }

  private Gate() {}

  /**
   * Evaluates the gate.
   *
   * @param serving the serving model's scores of the gate rows
   * @param candidate the candidate's scores of the same rows
   * @param targetFpr the target false-positive rate of both thresholds
   * @param sameFeatures whether the candidate has the serving model's feature names
   * @param candidateLipschitzMax the largest Lipschitz bound in the candidate's artifact
   * @param settings tolerances
   */
  public static Result evaluate(Scores serving, Scores candidate, double targetFpr, boolean sameFeatures,
      double candidateLipschitzMax, GateSettings settings) {
    int n = serving.status().length;
    if (candidate.status().length != n) {
      throw new IllegalArgumentException("serving and candidate scored " + n + " and "
          + candidate.status().length + " rows");
    }
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("features", sameFeatures, sameFeatures ? "same feature names as the serving model"
        : "the candidate's feature names differ from the serving model's; the job would refuse it"));
    checks.add(new Check("lipschitz", candidateLipschitzMax < 1,
        format("largest Lipschitz bound %.6f (must be < 1)", candidateLipschitzMax)));
    int notConverged = candidate.count(RowStatus.NOT_CONVERGED);
    checks.add(new Check("solver", notConverged == 0 && n > 0, n == 0 ? "no gate rows"
        : format("%d of %d rows did not converge under the candidate", notConverged, n)));

    int common = 0;
    double servingSum = 0;
    double candidateSum = 0;
    for (int i = 0; i < n; i++) {
      if (serving.normal(i) && candidate.normal(i)) {
        common++;
        servingSum += serving.logLikelihood()[i];
        candidateSum += candidate.logLikelihood()[i];
      }
    }
    double servingMean = common == 0 ? Double.NaN : servingSum / common;
    double candidateMean = common == 0 ? Double.NaN : candidateSum / common;
    if (common < settings.minCommonRows()) {
      checks.add(new Check("log-likelihood", true, format("only %d rows both models call normal (fewer than %d):"
          + " not compared", common, settings.minCommonRows())));
    } else {
      boolean ok = candidateMean >= servingMean - settings.logLikelihoodTolerance();
      checks.add(new Check("log-likelihood", ok, format("mean log-likelihood of the %d rows both call normal:"
          + " candidate %.4f, serving %.4f (tolerance %.4f)%s", common, candidateMean, servingMean,
          settings.logLikelihoodTolerance(), ok ? "" : "; the candidate is worse")));
    }

    double servingRate = rate(serving);
    double candidateRate = rate(candidate);
    int scored = Math.max(1, candidate.count(RowStatus.SCORED));
    double sigma = Math.sqrt(targetFpr * (1 - targetFpr) / scored);
    double limit = Math.max(settings.alertRateFactor() * targetFpr, Double.isNaN(servingRate) ? 0 : servingRate)
        + 3 * sigma;
    boolean rateOk = candidateRate <= limit;
    checks.add(new Check("alert-rate", rateOk, format("candidate flags %.4f of rows, serving %.4f, target %.4f;"
        + " limit %.4f%s", candidateRate, servingRate, targetFpr, limit,
        rateOk ? "" : "; the candidate would alert too often")));
    boolean passed = checks.stream().allMatch(Check::passed);
    return new Result(passed, List.copyOf(checks), n, common, servingMean, candidateMean, servingRate,
        candidateRate, limit, targetFpr, notConverged, candidateLipschitzMax);
  }

  private static double rate(Scores scores) {
    int scored = 0;
    int flagged = 0;
    for (int i = 0; i < scores.status().length; i++) {
      if (scores.status()[i] == RowStatus.SCORED) {
        scored++;
        flagged += scores.flagged(i) ? 1 : 0;
      }
    }
    return scored == 0 ? Double.NaN : (double) flagged / scored;
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
