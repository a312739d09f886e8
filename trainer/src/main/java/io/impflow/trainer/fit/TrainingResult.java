package io.impflow.trainer.fit;

import io.impflow.model.train.FlowWeights;
import java.util.List;

/**
 * The outcome of a training run.
 *
 * @param bestWeights the EMA weights of the epoch with the lowest validation NLL (what is exported)
 * @param bestEpoch that epoch (1-based; 0 when stopped before the first epoch ended)
 * @param bestValidationNll its mean validation NLL in standardized space (nats)
 * @param history one entry per completed epoch
 * @param steps optimizer steps taken
 * @param stoppedEarly whether early stopping ended the run
 * @param interrupted whether a stop request (Ctrl-C) ended the run
 * @param wallSeconds training wall time
 */
public record TrainingResult(FlowWeights bestWeights, int bestEpoch, double bestValidationNll,
    List<EpochStats> history, long steps, boolean stoppedEarly, boolean interrupted, double wallSeconds) {}
