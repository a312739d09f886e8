package io.impflow.job.scoring;

import io.impflow.job.config.JobConfigException;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.schemas.avro.ModelUpdate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A loaded and verified model together with the router that turns its scores into outputs and the artifact's files:
 * the unit the scoring operator serves with, swaps atomically and checkpoints.
 */
public final class ServingModel implements AutoCloseable {
  private static final String MANIFEST = "manifest.json";

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
   * Loads the artifact at {@code path} (checksums and Lipschitz bound verified by the model library) and checks that
   * it has the features the job was built for and a threshold. The artifact's files are read once and kept, so the
   * model can be checkpointed with {@link #snapshot()}.
   *
   * @throws ModelRefusedException saying why the artifact cannot be served
   */
  public static ServingModel load(ScoringSettings settings, String path) throws ModelRefusedException {
    return fromSnapshot(settings, ArtifactSnapshot.capture(path), path);
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

  private static ServingModel fromSnapshot(ScoringSettings settings, byte[] snapshot, String path)
      throws ModelRefusedException {
    DensityModel model = loadCopy(snapshot, path);
    try {
      if (!model.featureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model artifact " + path + " has features " + model.featureNames()
            + " but the job decodes " + settings.featureNames() + "; a model with other features needs a restart"
            + " with a matching input configuration");
      }
      return new ServingModel(model, settings.router(model), path, snapshot, settings.targetFpr(model));
    } catch (ModelRefusedException | JobConfigException e) {
      model.close();
      throw e instanceof ModelRefusedException ? (ModelRefusedException) e
          : new ModelRefusedException(e.getMessage(), e);
    }
  }

  /** Loads the snapshot's artifact from a private temporary copy, so the model served is the one snapshotted. */
  private static DensityModel loadCopy(byte[] snapshot, String path) throws ModelRefusedException {
    Path copy = null;
    List<String> files = List.of();
    try {
      copy = Files.createTempDirectory("impflow-model-");
      files = ArtifactSnapshot.unpack(snapshot, copy);
      return DensityModel.load(copy);
    } catch (ArtifactException e) {
      throw new ModelRefusedException("model artifact " + path + " cannot be loaded (" + e.kind() + "): "
          + e.getMessage().replace(copy.toString(), path), e);
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + path + " cannot be copied for loading: " + e, e);
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

  /**
   * Loads an announced artifact and checks it is the one announced: the SHA-256 of its manifest, its version and
   * its feature names must all match the announcement.
   *
   * @throws ModelRefusedException saying which check failed
   */
  public static ServingModel load(ScoringSettings settings, ModelUpdate update) throws ModelRefusedException {
    String path = localPath(update.getUri());
    byte[] snapshot = ArtifactSnapshot.capture(path);
    byte[] manifest = ArtifactSnapshot.file(snapshot, MANIFEST);
    if (manifest == null) {
      throw new ModelRefusedException("model update " + update.getVersion() + ": " + path + " has no " + MANIFEST);
    }
    String sha256 = sha256(manifest);
    if (!sha256.equalsIgnoreCase(update.getSha256())) {
      throw new ModelRefusedException("model update " + update.getVersion() + ": " + path + "/" + MANIFEST
          + " has SHA-256 " + sha256 + " but the update announced " + update.getSha256());
    }
    if (!update.getFeatureNames().equals(settings.featureNames())) {
      throw new ModelRefusedException("model update " + update.getVersion() + " announces features "
          + update.getFeatureNames() + " but the job decodes " + settings.featureNames());
    }
    ServingModel serving = fromSnapshot(settings, snapshot, path);
    if (!serving.version().equals(update.getVersion())) {
      serving.close();
      throw new ModelRefusedException("model update announced version " + update.getVersion() + " but the artifact"
          + " at " + path + " is version " + serving.version());
    }
    return serving;
  }

  /** The model. */
  public DensityModel model() {
    return model;
  }

  /** The router for this model's scores. */
  public ScoredBatchRouter router() {
    return router;
  }

  /** The artifact directory it was loaded from. */
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
      return sha256(Files.readAllBytes(Path.of(artifactPath).resolve(MANIFEST)));
    } catch (IOException e) {
      throw new ModelRefusedException("cannot read " + artifactPath + "/" + MANIFEST + ": " + e, e);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static String localPath(String uri) throws ModelRefusedException {
    try {
      return uri.startsWith("file:") ? Path.of(URI.create(uri)).toString() : Path.of(uri).toString();
    } catch (IllegalArgumentException e) {
      throw new ModelRefusedException("model update uri '" + uri + "' is neither a file: URI nor a path", e);
    }
  }
}
