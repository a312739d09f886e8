package io.impflow.trainer.cli;

import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.data.DataSourceException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The {@code --model DIR} option of the commands that apply a trained model. */
final class ModelOptions {

  private static final Logger LOG = LoggerFactory.getLogger(ModelOptions.class);

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Model artifact directory written by 'train' (checksums and the Lipschitz bound are verified).")
  Path model;

  /** The artifact's calibration; a model without one is refused with what to do. */
  Calibration calibration(DensityModel loaded) throws DataSourceException {
    return loaded.calibration().orElseThrow(() -> new DataSourceException(model
        + " has no calibration; retrain it with 'impflow train' (which calibrates on held-out rows)"));
  }

  /** Loads and verifies the artifact. */
  DensityModel load() throws ArtifactException {
    DensityModel loaded = DensityModel.load(model);
    LOG.info("loaded model {} from {} ({} features)", loaded.version(), model, loaded.dimension());
    return loaded;
  }
}
