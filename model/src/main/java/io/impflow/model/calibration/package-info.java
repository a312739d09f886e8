/** Calibration of log-likelihood thresholds and tail probabilities from held-out data. */
package io.impflow.model.calibration;
