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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded and verified model together with the router that turns its scores into outputs and the artifact's files:
 * the unit the scoring operator serves with, swaps atomically and checkpoints.
 */
public final class ServingModel implements AutoCloseable {
  private static final String MANIFEST = ModelArtifact.MANIFEST;

  private final DensityModel model;
  private final ScoredBatchRouter router;
  private final String path;
  private final byte[] snapshot;
  private final double targetFpr;

  private ServingModel(DensityModel model, ScoredBatchRouter router, String path, byte[] snapshot,
      double targetFpr) {
    this.model = model;
    this.router = router;
    this.path = path;
    this.snapshot = snapshot;
    this.targetFpr = targetFpr;
  }

  /**
   * Loads the artifact at {@code location} (the configured {@code --model} path: a path or a URI of any Flink file
   * system) with checksums and Lipschitz bound verified by the model library, and checks that it has the features
   * the job was built for and a threshold. The artifact's files are read once and kept, so the model can be
   * checkpointed with {@link #snapshot()}.
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
      return fromSnapshot(settings, ArtifactSnapshot.capture(local.directory(), location), location);
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + location + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the model that {@link #snapshot()} captured, from the snapshot alone: where it was loaded from originally
   * no longer matters.
   *
   * @throws ModelRefusedException saying why the snapshot cannot be served
   */
  public static ServingModel restore(ScoringSettings settings, byte[] snapshot) throws ModelRefusedException {
    return fromSnapshot(settings, snapshot, ArtifactSnapshot.origin(snapshot));
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
      byte[] snapshot = ArtifactSnapshot.capture(local.directory(), uri.toString());
      byte[] manifest = ArtifactSnapshot.file(snapshot, MANIFEST);
      if (manifest == null) {
        throw new ModelRefusedException("model update " + update.getVersion() + ": " + uri + " has no " + MANIFEST);
      }
      String sha256 = Checksums.sha256(manifest);
      if (!sha256.equalsIgnoreCase(update.getSha256())) {
        throw new ModelRefusedException("model update " + update.getVersion() + ": " + uri + "/" + MANIFEST
            + " has SHA-256 " + sha256 + " but the update announced " + update.getSha256());
      }
      if (!update.getFeatureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model update " + update.getVersion() + " announces features "
            + update.getFeatureNames() + " but the job decodes " + settings.featureNames());
      }
      ServingModel serving = fromSnapshot(settings, snapshot, uri.toString());
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

  /** Loads the snapshot's artifact (from a private copy) and checks features and threshold. */
  private static ServingModel fromSnapshot(ScoringSettings settings, byte[] snapshot, String location)
      throws ModelRefusedException {
    DensityModel model = loadCopy(snapshot, location);
    try {
      if (!model.featureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model artifact " + location + " has features " + model.featureNames()
            + " but the job decodes " + settings.featureNames() + "; a model with other features needs a restart"
            + " with a matching input configuration");
      }
      return new ServingModel(model, settings.router(model), location, snapshot, settings.targetFpr(model));
    } catch (ModelRefusedException | JobConfigException e) {
      model.close();
      throw e instanceof ModelRefusedException ? (ModelRefusedException) e
          : new ModelRefusedException(e.getMessage(), e);
    }
  }

  /** Loads the snapshot's artifact from a private temporary copy, so the model served is the one snapshotted. */
  private static DensityModel loadCopy(byte[] snapshot, String location) throws ModelRefusedException {
    Path copy = null;
    List<String> files = List.of();
    try {
      copy = Files.createTempDirectory("impflow-model-");
      files = ArtifactSnapshot.unpack(snapshot, copy);
      return DensityModel.load(copy);
    } catch (ArtifactException e) {
      throw new ModelRefusedException("model artifact " + location + " cannot be loaded (" + e.kind() + "): "
          + e.getMessage().replace(copy.toString(), location), e);
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + location + " cannot be copied for loading: " + e, e);
    } finally {
      deleteCopy(copy, files);
    }
  }

  private static void deleteCopy(Path copy, List<String> files) {
    if (copy == null) {
      return;
    }
    try {
      for (String file : files) {
        Files.deleteIfExists(copy.resolve(file));
      }
      Files.deleteIfExists(copy);
    } catch (IOException e) {
      // A leftover temporary copy wastes a little disk space and harms nothing; the model is loaded.
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

  /** Where it was loaded from: the configured path, or the announced URI. */
  public String path() {
    return path;
  }

  /** The artifact's files as loaded, for the operator's checkpointed state; {@link #restore} loads them again. */
  public byte[] snapshot() {
    return snapshot;
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
