package io.impflow.demo;

import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.calibration.Calibration;
import io.impflow.testkit.process.FileTree;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.fit.EpochStats;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingProgress;
import io.impflow.trainer.fit.TrainingRun;
import io.impflow.trainer.fit.TrainingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Trained demo models by content: a model is stored under a key derived from the SHA-256 of its training rows and
 * the {@linkplain #canonical canonical text} of the trainer's settings, so a second run with the same data and
 * settings loads it instead of training.
 * A cached artifact that no longer loads (checksum, artifact format of another version) is discarded and retrained.
 */
public final class ModelCache {
  private static final String TEMP_PREFIX = ".training-";

  private final Path directory;
  private final PrintStream out;

  /** A cache in {@code directory} (created when needed) that reports to {@code out}. */
  public ModelCache(Path directory, PrintStream out) {
    this.directory = directory.toAbsolutePath().normalize();
    this.out = out;
  }

  /** The directory a model for these rows and settings lives in. */
  public Path location(Dataset train, TrainingSettings settings) {
    return directory.resolve("shuttle-" + key(train.sha256(), canonical(settings)));
  }

  /**
   * Returns the cached model for these rows and settings, training and caching it first when there is none.
   *
   * @param retrain train even when a cached model exists (the new one replaces it)
   * @param stop ends training early; the interrupted model is not cached
   * @throws DemoStepException (step 3) when training fails or is interrupted
   */
  public TrainedModel obtain(Dataset train, TrainingSettings settings, boolean retrain, StopSignal stop) {
    long start = System.nanoTime();
    Path target = location(train, settings);
    if (Files.isDirectory(target) && !retrain) {
      Cached cached = loadable(target, train.sha256());
      if (cached != null) {
        return new TrainedModel(target, cached.version(), true, List.of(), 0, seconds(start), cached.calibration());
      }
    }
    return train(train, settings, target, stop, start);
  }

  private TrainedModel train(Dataset train, TrainingSettings settings, Path target, StopSignal stop, long start) {
    Path scratch = directory.resolve(TEMP_PREFIX + UUID.randomUUID());
    try {
      Files.createDirectories(directory);
      TrainingRun.Request request = settings.request(train, DeviceOption.AUTO.resolve(DeviceOption.usableGpuCount()),
          scratch);
      int fitRows = train.size() - (int) Math.round(settings.validationFraction() * train.size());
      int stepsPerEpoch = Math.max(1, (fitRows + request.config().batchSize() - 1) / request.config().batchSize());
      long budgetEpochs = Math.min(request.config().epochs(),
          (request.config().maxSteps() + stepsPerEpoch - 1) / stepsPerEpoch);
      out.printf(Locale.ROOT, "  training %s (%d blocks, hidden %d) on %,d rows with train's settings: %.0f %% held"
          + " out, batch %d, at most %,d steps (%d epochs), contamination %s, target FPR %s (%s)%n",
          settings.architecture().toString().toLowerCase(Locale.ROOT), settings.blocks(), settings.hidden(),
          train.size(), 100 * settings.validationFraction(), request.config().batchSize(),
          request.config().maxSteps(), budgetEpochs, settings.contamination() == TrainingSettings.CONTAMINATION_AUTO
              ? "auto" : String.valueOf(settings.contamination()), settings.targetFpr(), request.device().reason());
      TrainingRun.Outcome outcome = TrainingRun.run(request, new EpochLines(out, budgetEpochs), stop);
      if (outcome.training().interrupted() || stop.isRequested()) {
        throw new DemoStepException(DemoStep.MODEL, "training was interrupted; the partial model is not cached",
            "run the demo again to train from the start", null);
      }
      install(scratch, target);
      return new TrainedModel(target, outcome.version(), false, outcome.training().history(),
          outcome.training().bestEpoch(), seconds(start), outcome.calibration());
    } catch (DataSourceException | ArtifactException | IOException | IllegalArgumentException e) {
      throw new DemoStepException(DemoStep.MODEL, "training on " + train.origin() + " failed: " + e.getMessage(), e);
    } catch (io.impflow.trainer.fit.DeviceUnavailableException e) {
      throw new DemoStepException(DemoStep.MODEL, e.getMessage(), e);
    } finally {
      FileTree.deleteQuietly(scratch);
    }
  }

  /** A cached artifact's version and calibration. */
  private record Cached(String version, Calibration calibration) {}

  /**
   * The model's version and calibration when the artifact loads, is calibrated and was trained on rows with this
   * hash, else null (it is removed).
   */
  private Cached loadable(Path target, String dataSha256) {
    try (DensityModel model = DensityModel.load(target)) {
      Object trainedOn = model.manifest().provenance().get("data_sha256");
      if (Objects.equals(trainedOn, dataSha256) && model.calibration().isPresent()) {
        return new Cached(model.version(), model.calibration().get());
      }
      out.println("  the cached model in " + target + " was trained on other rows; training a new one");
    } catch (ArtifactException e) {
      out.println("  the cached model in " + target + " does not load (" + e.kind() + ": " + e.getMessage()
          + "); training a new one");
    }
    FileTree.deleteQuietly(target);
    return null;
  }

  private static void install(Path scratch, Path target) throws IOException {
    FileTree.deleteQuietly(target);
    try {
      Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(scratch, target);
    } catch (FileAlreadyExistsException e) {
      // Another demo run cached the same model in the meantime; both are equal by key, keep theirs.
    }
  }

  /**
   * Every component of the trainer's settings as {@code name=value}, in the record's order: the one place the
   * cache key is derived from, so a setting added to {@link TrainingSettings} is part of the key without a change
   * here. Numbers are written exactly ({@link Double#toString}), so two settings give one text iff they are equal.
   */
  static String canonical(TrainingSettings settings) {
    StringBuilder text = new StringBuilder();
    for (RecordComponent component : TrainingSettings.class.getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(settings);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read the training setting " + component.getName(), e);
      }
      text.append(text.isEmpty() ? "" : " ").append(component.getName()).append('=').append(value);
    }
    return text.toString();
  }

  static String key(String dataSha256, String canonicalSettings) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(dataSha256.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(canonicalSettings.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** One line per epoch on the demo's output. */
  private static final class EpochLines implements TrainingProgress {
    private final PrintStream out;
    private final long budgetEpochs;

    EpochLines(PrintStream out, long budgetEpochs) {
      this.out = out;
      this.budgetEpochs = budgetEpochs;
    }

    @Override
    public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {
      // Epoch lines are enough for a run of a few minutes.
    }

    @Override
    public void onEpoch(EpochStats stats, int epochs, boolean best) {
      out.printf(Locale.ROOT, "  epoch %d/%d  train NLL %.3f  validation NLL %.3f%s  (%.0f s)%n", stats.epoch(),
          budgetEpochs, stats.trainNll(), stats.validationNll(), best ? "  best so far" : "", stats.elapsedSeconds());
    }
  }
}
