package io.impflow.trainer.fit;

/**
 * What one training epoch achieved.
 *
 * @param epoch 1-based epoch number
 * @param trainNll mean negative log-likelihood of the training batches during the epoch (standardized space, nats)
 * @param validationNll mean negative log-likelihood of the validation rows under the EMA weights (nats)
 * @param elapsedSeconds wall time since training started
 */
public record EpochStats(int epoch, double trainNll, double validationNll, double elapsedSeconds) {}
