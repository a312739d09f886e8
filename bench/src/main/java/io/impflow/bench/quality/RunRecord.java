package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * One method's result on one benchmark case: what the tables need, without the per-row scores.
 *
 * @param dataset dataset name
 * @param protocol clean or contaminated
 * @param seed the case's seed
 * @param method the method's table name
 * @param parameters the method's parameter count for this dataset, or -1 when it has none in the usual sense
 * @param auroc AUROC of the test scores
 * @param auprc average precision of the test scores
 * @param fitTime time of fitting
 * @param scoreTime time of scoring all test rows once
 * @param testRows number of test rows
 * @param fitRows rows the method was fitted on
 * @param unscored test rows the method could not score
 * @param trainOutlierShare share of outliers in the split's training part (0 under the clean protocol)
 * @param note a short remark for the tables, or an empty string
 */
public record RunRecord(String dataset, SplitProtocol protocol, long seed, String method, long parameters,
    double auroc, double auprc, Stopwatch.Elapsed fitTime, Stopwatch.Elapsed scoreTime, int testRows, int fitRows,
    int unscored, double trainOutlierShare, String note) {

  /** Test rows scored per wall-clock second. */
  public double scoringRowsPerSecond() {
    return testRows / scoreTime.wallSeconds();
  }

  /** Test rows scored per CPU second of the scoring thread. */
  public double scoringRowsPerCpuSecond() {
    return testRows / scoreTime.cpuSeconds();
  }
}
