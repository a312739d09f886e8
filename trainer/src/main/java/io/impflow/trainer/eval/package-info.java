/** Detection metrics: mean NLL, exact tie-aware AUROC and AUPRC, precision and recall at the calibrated threshold. */
package io.impflow.trainer.eval;
