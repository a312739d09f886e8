package io.impflow.bench.quality;

/**
 * What one method produced on one split.
 *
 * @param testScores one anomaly score per test row, higher = more anomalous; rows the method could not score are
 *     {@code +Infinity} (ranked most anomalous, as the streaming job routes them to dead letters)
 * @param unscored number of test rows the method could not score
 * @param fitTime time of fitting (for a streaming method: of warming up on the training part)
 * @param scoreTime time of scoring all test rows once (for a streaming method: score-then-update)
 * @param trainRows rows the method was fitted on (a flow may subsample the training part)
 * @param note a short remark for the tables (epochs run), or an empty string
 */
public record MethodRun(double[] testScores, int unscored, Stopwatch.Elapsed fitTime, Stopwatch.Elapsed scoreTime,
    int trainRows, String note) {}
