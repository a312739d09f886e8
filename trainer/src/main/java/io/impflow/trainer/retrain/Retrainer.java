package io.impflow.trainer.retrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.store.LocalArtifact;
import io.impflow.model.store.ModelStore;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.KafkaWindowDataSource;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingProgress;
import io.impflow.trainer.fit.TrainingRun;
import io.impflow.trainer.fit.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retraining: reads the window, fits a candidate with the serving model's settings on its older rows, gates it
 * on the newest rows, and publishes and announces it only when it passes. Usable from tests and other programs:
 * {@code new Retrainer(options, clock).runOnce()} returns the decision.
 */
public final class Retrainer {

  private static final Logger LOG = LoggerFactory.getLogger(Retrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final long KAFKA_TIMEOUT_MS = 30_000L;

  private final RetrainOptions options;
  private final Clock clock;
  private final ModelStore store;

  /**
   * A retrainer for {@code options}, reading time (window start, decision time, publication time) from
   * {@code clock}.
   *
   * @throws IOException if the store cannot be opened
   */
  public Retrainer(RetrainOptions options, Clock clock) throws IOException {
    this.options = options;
    this.clock = clock;
    this.store = ModelStore.open(io.impflow.model.store.ModelLocationPolicy.toUri(options.store()), clock);
  }

  /** The store's serving version ({@code latest}), publishing {@code --initial-model} first when it has none. */
  public String servingVersion() throws IOException, ArtifactException, DataSourceException {
    Optional<String> latest = store.latest();
    if (latest.isPresent()) {
      return latest.get();
    }
    if (options.initialModel() == null) {
      throw new DataSourceException("the model store " + store.root() + " has no 'latest' version; publish the"
          + " model the job serves with --initial-model DIR");
    }
    ModelStore.Publication publication = store.publish(options.initialModel());
    store.setLatest(publication.version());
    LOG.info("published the initial model {} to {} and pointed latest at it", publication.version(),
        publication.uri());
    return publication.version();
  }

  /**
   * Runs one retraining and returns its decision (also logged, and written to {@code --report} when given).
   *
   * @throws DataSourceException if the window cannot be read or is too small
   * @throws ArtifactException if the serving model cannot be loaded
   * @throws IOException if the store or the work directory fails
   * @throws io.impflow.trainer.fit.DeviceUnavailableException if {@code --device gpu} finds no usable GPU
   */
  public RetrainDecision runOnce()
      throws DataSourceException, ArtifactException, IOException, io.impflow.trainer.fit.DeviceUnavailableException {
    String servingVersion = servingVersion();
    // the candidate is written here, and copied into the store only if it passes
    Path work = Files.createTempDirectory("impflow-retrain");
    try (LocalArtifact servingArtifact = LocalArtifact.fetch(store.uri(servingVersion));
         DensityModel serving = DensityModel.load(servingArtifact.directory())) {
      if (serving.calibration().isEmpty()) {
        throw new DataSourceException("the serving model " + servingVersion + " is not calibrated, so the gate has"
            + " no threshold to compare with; publish a model written by 'impflow train'");
      }
      List<String> features = options.featureNames() != null ? options.featureNames() : serving.featureNames();
      KafkaWindowDataSource.Window window = readWindow(features);
      Dataset rows = window.data();
      int gateRows = Math.max(1, (int) Math.round(options.gateFraction() * rows.size()));
      int trainRows = rows.size() - gateRows;
      if (trainRows < TrainingRun.MIN_ROWS) {
        throw new DataSourceException(rows.origin() + " has " + rows.size() + " valid rows; with --gate-fraction "
            + options.gateFraction() + " that leaves " + trainRows + " for training, fewer than "
            + TrainingRun.MIN_ROWS + "; widen --window");
      }
      Dataset training = rows.select(IntStream.range(0, trainRows).toArray(), rows.origin() + " (older "
          + trainRows + " rows)");
      double[][] gate = Arrays.copyOfRange(rows.rows(), trainRows, rows.size());
      LOG.info("window {}: {} valid rows ({} skipped: {}); training on the older {}, gating on the newest {}",
          rows.origin(), rows.size(), window.skippedCount(), window.skipped(), trainRows, gateRows);

      TrainingSettings settings = TrainingSettings.fromManifest(serving.manifest());
      settings = settings.withBudget(options.maxSteps() != null ? options.maxSteps() : settings.maxSteps(),
          options.timeBudgetSeconds() != null ? options.timeBudgetSeconds() : settings.timeBudgetSeconds(),
          options.seed() != null ? options.seed() : settings.seed());
      DeviceOption.DeviceChoice device = options.device().resolve(DeviceOption.usableGpuCount());
      Path candidateDir = work.resolve("candidate-" + UUID.randomUUID());
      long start = System.nanoTime();
      TrainingRun.Outcome outcome = TrainingRun.run(settings.request(training, device, candidateDir),
          TrainingProgress.forConsole(), new StopSignal());
      double seconds = (System.nanoTime() - start) / 1e9;

      RetrainDecision decision = judgeAndPublish(serving, candidateDir, outcome.version(), gate, window,
          trainRows, seconds);
      report(decision);
      return decision;
    } finally {
      deleteRecursively(work);
    }
  }

  private KafkaWindowDataSource.Window readWindow(List<String> features) throws DataSourceException {
    DataReadOptions read = new DataReadOptions(DataReadOptions.DEFAULT_LABEL_COLUMN, false, features, 1, 0L, null,
        KAFKA_TIMEOUT_MS, options.kafkaProperties(), options.registry());
    KafkaWindowDataSource source = new KafkaWindowDataSource(options.bootstrapServers(), options.topic(), read);
    KafkaWindowDataSource.Selection selection = options.window() != null
        ? KafkaWindowDataSource.Selection.since(clock.millis(), options.window())
        : KafkaWindowDataSource.Selection.newest(options.windowRecords());
    return source.readWindow(selection, features);
  }

  private RetrainDecision judgeAndPublish(DensityModel serving, Path candidateDir, String candidateVersion,
      double[][] gateRows, KafkaWindowDataSource.Window window, int trainRows, double seconds)
      throws IOException, ArtifactException {
    Gate.Result result;
    try (DensityModel candidate = DensityModel.load(candidateDir)) {
      double lipschitz = candidate.manifest().lipschitzBounds().values().stream().mapToDouble(Double::doubleValue)
          .max().orElse(Double.NaN);
      result = Gate.evaluate(scores(serving, gateRows), scores(candidate, gateRows),
          serving.calibration().orElseThrow().targetFpr(),
          candidate.featureNames().equals(serving.featureNames()), lipschitz, options.gate());
    } catch (ArtifactException e) {
      // checksums or the Lipschitz guarantee failed on load: refused before the gate
      return decision(false, "candidate artifact refused (" + e.kind() + "): " + e.getMessage(), serving.version(),
          candidateVersion, null, false, window, trainRows, null, List.of(), seconds);
    }
    if (!result.passed()) {
      return decision(false, result.reason(), serving.version(), candidateVersion, null, false, window, trainRows,
          result, List.of(), seconds);
    }
    ModelStore.Publication publication = store.publish(candidateDir);
    boolean announced = false;
    if (options.modelUpdatesTopic() != null) {
      ModelUpdateAnnouncer.announce(options.bootstrapServers(), options.kafkaProperties(),
          options.modelUpdatesTopic(), publication, clock.instant());
      announced = true;
    }
    store.setLatest(publication.version());
    List<String> retired = options.keep() > 0 ? store.retain(options.keep()) : List.of();
    return decision(true, null, serving.version(), publication.version(), publication.uri().toString(), announced,
        window, trainRows, result, retired, seconds);
  }

  private RetrainDecision decision(boolean published, String reason, String servingVersion, String candidateVersion,
      String uri, boolean announced, KafkaWindowDataSource.Window window, int trainRows, Gate.Result gate,
      List<String> retired, double seconds) {
    return new RetrainDecision(clock.instant(), published, reason, servingVersion, candidateVersion, uri, announced,
        window.data().origin(), window.data().size(), window.skipped(), trainRows, gate, retired, seconds);
  }

  private static Gate.Scores scores(DensityModel model, double[][] rows) {
    BatchScores scores = model.score(rows);
    return new Gate.Scores(scores.logLikelihood(), scores.status(), model.calibration().orElseThrow().threshold());
  }

  private void report(RetrainDecision decision) throws IOException {
    if (decision.published()) {
      LOG.info("{}", decision.summary());
    } else {
      LOG.warn("{}", decision.summary());
    }
    if (options.report() != null) {
      Path parent = options.report().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      JSON.writeValue(options.report().toFile(), decision.toJson());
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
