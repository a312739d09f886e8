package io.impflow.job.scoring;

import io.impflow.job.config.JobConfigException;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.store.LocalArtifact;
import io.impflow.model.store.ModelLocationException;
import io.impflow.model.store.ModelLocationPolicy;
import io.impflow.schemas.avro.ModelUpdate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A loaded and verified model together with the router that turns its scores into outputs: the unit the scoring
 * operator serves with and swaps atomically.
 */
public final class ServingModel implements AutoCloseable {
  private static final String MANIFEST = ModelArtifact.MANIFEST;

  private final DensityModel model;
  private final ScoredBatchRouter router;
  private final String path;
  private final double targetFpr;

  private ServingModel(DensityModel model, ScoredBatchRouter router, String path, double targetFpr) {
    this.model = model;
    this.router = router;
    this.path = path;
    this.targetFpr = targetFpr;
  }

  /**
   * Loads the artifact at {@code location} (the configured {@code --model} path, or the location of the model that
   * was in use at a checkpoint: a path or a URI of any Flink file system) with checksums and Lipschitz bound verified
   * by the model library, and checks that it has the features the job was built for and a threshold.
   *
   * @throws ModelRefusedException saying why the artifact cannot be served
   */
  public static ServingModel load(ScoringSettings settings, String location) throws ModelRefusedException {
    URI uri;
    try {
      uri = ModelLocationPolicy.toUri(location);
    } catch (IllegalArgumentException e) {
      throw new ModelRefusedException("model location '" + location + "' is neither a path nor a URI", e);
    }
    try (LocalArtifact local = fetch(uri)) {
      return load(settings, local, location);
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + location + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Loads an announced artifact and checks it is the one announced: its location must be under a model root (see
   * {@link ModelLocationPolicy}), and the SHA-256 of its manifest, its version and its feature names must all match
   * the announcement. An artifact on a remote file system is copied to a temporary directory first.
   *
   * @throws ModelRefusedException saying which check failed
   */
  public static ServingModel load(ScoringSettings settings, ModelUpdate update) throws ModelRefusedException {
    URI uri;
    try {
      uri = settings.modelLocations().check(update.getUri());
    } catch (ModelLocationException e) {
      throw new ModelRefusedException("model update " + update.getVersion() + " refused: " + e.getMessage(), e);
    }
    try (LocalArtifact local = fetch(uri)) {
      String sha256 = manifestSha256(local.directory().toString());
      if (!sha256.equalsIgnoreCase(update.getSha256())) {
        throw new ModelRefusedException("model update " + update.getVersion() + ": " + uri + "/" + MANIFEST
            + " has SHA-256 " + sha256 + " but the update announced " + update.getSha256());
      }
      if (!update.getFeatureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model update " + update.getVersion() + " announces features "
            + update.getFeatureNames() + " but the job decodes " + settings.featureNames());
      }
      ServingModel serving = load(settings, local, uri.toString());
      if (!serving.version().equals(update.getVersion())) {
        serving.close();
        throw new ModelRefusedException("model update announced version " + update.getVersion() + " but the"
            + " artifact at " + uri + " is version " + serving.version());
      }
      return serving;
    } catch (IOException e) {
      throw new ModelRefusedException("model update " + update.getVersion() + ": " + uri + " cannot be read: "
          + e.getMessage(), e);
    }
  }

  private static LocalArtifact fetch(URI uri) throws ModelRefusedException {
    try {
      return LocalArtifact.fetch(uri);
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelRefusedException("model artifact " + uri + " cannot be fetched (" + e.getMessage() + "); a"
          + " scheme other than file: needs its Flink file system plugin", e);
    }
  }

  /** Loads the local copy of the artifact at {@code location} and checks features and threshold. */
  private static ServingModel load(ScoringSettings settings, LocalArtifact local, String location)
      throws ModelRefusedException {
    DensityModel model;
    try {
      model = DensityModel.load(local.directory());
    } catch (ArtifactException e) {
      throw new ModelRefusedException("model artifact " + location + " cannot be loaded (" + e.kind() + "): "
          + e.getMessage(), e);
    }
    try {
      if (!model.featureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model artifact " + location + " has features " + model.featureNames()
            + " but the job decodes " + settings.featureNames() + "; a model with other features needs a restart"
            + " with a matching input configuration");
      }
      return new ServingModel(model, settings.router(model), location, settings.targetFpr(model));
    } catch (ModelRefusedException | JobConfigException e) {
      model.close();
      throw e instanceof ModelRefusedException ? (ModelRefusedException) e
          : new ModelRefusedException(e.getMessage(), e);
    }
  }

  /** The model. */
  public DensityModel model() {
    return model;
  }

  /** The router for this model's scores. */
  public ScoredBatchRouter router() {
    return router;
  }

  /** Where it was loaded from: the configured path, or the announced URI (what a checkpoint records). */
  public String path() {
    return path;
  }

  /** The false-positive rate its threshold stands for (see {@link ScoringSettings#targetFpr}). */
  public double targetFpr() {
    return targetFpr;
  }

  /** The artifact's version id. */
  public String version() {
    return model.version();
  }

  @Override
  public void close() {
    model.close();
  }

  /** The SHA-256 of the artifact's manifest, in lowercase hex, as a {@code ModelUpdate} announces it. */
  public static String manifestSha256(String artifactPath) throws ModelRefusedException {
    try {
      // streamed: the manifest of an announced artifact is untrusted and may be of any size
      return Checksums.sha256(Path.of(artifactPath).resolve(MANIFEST));
    } catch (IOException e) {
      throw new ModelRefusedException("cannot read " + artifactPath + "/" + MANIFEST + ": " + e, e);
    }
  }
}
