package io.impflow.demo;

import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.fit.EpochStats;
import java.nio.file.Path;
import java.util.List;

/**
 * The model the demo scores with.
 *
 * @param directory the artifact directory
 * @param version the artifact's version id
 * @param reused whether it came from the cache rather than from training in this run
 * @param history the training epochs of this run (empty when reused)
 * @param bestEpoch the exported epoch (0 when reused)
 * @param seconds how long training (or loading from the cache) took
 * @param calibration the artifact's calibration (the served threshold, and the table it was chosen from)
 */
public record TrainedModel(Path directory, String version, boolean reused, List<EpochStats> history, int bestEpoch,
    double seconds, Calibration calibration) {}
