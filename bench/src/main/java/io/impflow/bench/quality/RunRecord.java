package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * One method's result on one benchmark case.
 *
 * @param dataset dataset name
 * @param protocol clean or contaminated
 * @param seed the case's seed
 * @param method the method's table name
 * @param run scores and timings
 * @param auroc AUROC of the test scores
 * @param auprc average precision of the test scores
 * @param trainOutlierShare share of outliers in the split's training part (0 under the clean protocol)
 */
public record RunRecord(String dataset, SplitProtocol protocol, long seed, String method, MethodRun run,
    double auroc, double auprc, double trainOutlierShare) {}
