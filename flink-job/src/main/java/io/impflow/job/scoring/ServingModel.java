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

/**
 * A loaded and verified model together with the router that turns its scores into outputs: the unit the scoring
 * operator serves with and swaps atomically.
 */
public final class ServingModel implements AutoCloseable {
  private static final String MANIFEST = "manifest.json";

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
   * Loads the artifact at {@code path} (checksums and Lipschitz bound verified by the model library) and checks that
   * it has the features the job was built for and a threshold.
   *
   * @throws ModelRefusedException saying why the artifact cannot be served
   */
  public static ServingModel load(ScoringSettings settings, String path) throws ModelRefusedException {
    DensityModel model;
    try {
      model = DensityModel.load(Path.of(path));
    } catch (ArtifactException e) {
      throw new ModelRefusedException("model artifact " + path + " cannot be loaded (" + e.kind() + "): "
          + e.getMessage(), e);
    }
    try {
      if (!model.featureNames().equals(settings.featureNames())) {
        throw new ModelRefusedException("model artifact " + path + " has features " + model.featureNames()
            + " but the job decodes " + settings.featureNames() + "; a model with other features needs a restart"
            + " with a matching input configuration");
      }
      return new ServingModel(model, settings.router(model), path, settings.targetFpr(model));
    } catch (ModelRefusedException | JobConfigException e) {
      model.close();
      throw e instanceof ModelRefusedException ? (ModelRefusedException) e
          : new ModelRefusedException(e.getMessage(), e);
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
    String sha256 = manifestSha256(path);
    if (!sha256.equalsIgnoreCase(update.getSha256())) {
      throw new ModelRefusedException("model update " + update.getVersion() + ": " + path + "/" + MANIFEST
          + " has SHA-256 " + sha256 + " but the update announced " + update.getSha256());
    }
    if (!update.getFeatureNames().equals(settings.featureNames())) {
      throw new ModelRefusedException("model update " + update.getVersion() + " announces features "
          + update.getFeatureNames() + " but the job decodes " + settings.featureNames());
    }
    ServingModel serving = load(settings, path);
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
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(Path.of(artifactPath).resolve(MANIFEST)));
      return HexFormat.of().formatHex(digest);
    } catch (IOException e) {
      throw new ModelRefusedException("cannot read " + artifactPath + "/" + MANIFEST + ": " + e, e);
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
