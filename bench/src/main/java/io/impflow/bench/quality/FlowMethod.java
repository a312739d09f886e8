package io.impflow.bench.quality;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.train.TrainableFlow;
import io.impflow.trainer.cli.ImpflowCli;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.DatasetScorer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * ImpFlow or ResFlow exactly as a user gets it: the training part is written to a CSV file and trained by the
 * {@code train} command itself ({@code --data TRAIN.csv --out DIR --seed S --arch A --blocks N --device cpu}, every
 * other flag at its default), then the artifact is loaded with {@link DensityModel} and the test rows scored in
 * float64, as {@code ./impflow evaluate} does. Score = −log p(x); rows whose solve does not converge score +∞.
 */
public final class FlowMethod implements DetectionMethod {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Architecture architecture;
  private final int blocks;

  /**
   * A flow method.
   *
   * @param name table name
   * @param architecture IMPFLOW or RESFLOW
   * @param blocks number of blocks ({@code --blocks}; every other setting is {@code train}'s default)
   */
  public FlowMethod(String name, Architecture architecture, int blocks) {
    this.name = name;
    this.architecture = architecture;
    this.blocks = blocks;
  }

  @Override
  public String name() {
    return name;
  }

  /** The default value of one of {@code train}'s options, read from the command itself. */
  static String trainDefault(String option) {
    CommandLine.Model.OptionSpec spec = ImpflowCli.commandLine().getSubcommands().get("train").getCommandSpec()
        .findOption(option);
    if (spec == null || spec.defaultValue() == null) {
      throw new IllegalArgumentException("train has no option " + option + " with a default value");
    }
    return spec.defaultValue();
  }

  /** The flow's architecture for data of {@code dimension} features, with {@code train}'s defaults. */
  public FlowSpec spec(int dimension) {
    return new FlowSpec(architecture, dimension, blocks, Integer.parseInt(trainDefault("--hidden")),
        Integer.parseInt(trainDefault("--layers")),
        ActivationKind.valueOf(trainDefault("--activation").toUpperCase(Locale.ROOT)),
        Double.parseDouble(trainDefault("--lipschitz")));
  }

  /** {@code train}'s training defaults in words, for the settings table. */
  static String defaultsDescription() {
    return String.format(Locale.ROOT, "whitening %s, Adam lr %s, batch %s, at most %s steps, %s epochs and %s s of"
        + " training, early stopping with patience %s epochs on %s of the rows held out, weight EMA %s, %s,"
        + " contamination %s, threshold at target FPR %s", trainDefault("--whitening"), trainDefault("--lr"),
        trainDefault("--batch-size"), trainDefault("--max-steps"), trainDefault("--epochs"),
        trainDefault("--time-budget"), trainDefault("--patience"), trainDefault("--val-fraction"),
        trainDefault("--ema-decay"), trainDefault("--dtype"), trainDefault("--contamination"),
        trainDefault("--target-fpr"));
  }

  /** The command-line arguments this method adds to {@code train}'s defaults. */
  public List<String> trainArguments(long seed) {
    return List.of("--seed", String.valueOf(seed), "--arch", architecture.toString().toLowerCase(Locale.ROOT),
        "--blocks", String.valueOf(blocks), "--device", "cpu");
  }

  /** A one-line description, e.g. {@code ./impflow train --arch impflow --blocks 2 (g = d-64-64-d, sin, c = 0.97)}. */
  public String describe() {
    FlowSpec spec = spec(1);
    StringBuilder g = new StringBuilder("d");
    for (int l = 0; l < spec.layers(); l++) {
      g.append('-').append(spec.hidden());
    }
    g.append("-d");
    return String.format(Locale.ROOT, "`./impflow train --arch %s --blocks %d --seed S` (g = %s, %s, c = %s)",
        architecture.toString().toLowerCase(Locale.ROOT), blocks, g,
        spec.activation().toString().toLowerCase(Locale.ROOT), spec.lipschitz());
  }

  @Override
  public long parameterCount(int dimension) {
    try (TrainableFlow flow = TrainableFlow.create(spec(dimension), 0L, Device.cpu(), DataType.FLOAT32)) {
      return flow.parameters().values().stream().mapToLong(NDArray::size).sum();
    }
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("impflow-bench-" + name.toLowerCase(Locale.ROOT));
      Path artifact = scratch.resolve("model");
      Dataset train = split.train().withoutLabels();
      Stopwatch fit = Stopwatch.start();
      train(train, seed, artifact);
      Stopwatch.Elapsed fitTime = fit.elapsed();
      try (DensityModel model = DensityModel.load(artifact)) {
        double[][] test = split.test().rows();
        DatasetScorer.score(model, Arrays.copyOf(test, Math.min(test.length, 64)), null);
        Stopwatch score = Stopwatch.start();
        DatasetScorer.ScoredRows scored = DatasetScorer.score(model, test, model.calibration().orElse(null));
        Stopwatch.Elapsed scoreTime = score.elapsed();
        double[] scores = Arrays.stream(scored.logLikelihood())
            .map(ll -> Double.isNaN(ll) ? Double.POSITIVE_INFINITY : -ll).toArray();
        String alerts = atThreshold(scored.anomaly(), split.test().labels(), model.calibration()
            .map(c -> c.targetFpr()).orElse(Double.NaN));
        return new MethodRun(scores, scored.unscored(), fitTime, scoreTime, train.size(),
            note(artifact) + "; " + alerts);
      }
    } catch (IOException | io.impflow.model.artifact.ArtifactException | RuntimeException e) {
      throw new MethodFailedException(name + " on " + split.train().origin() + ": " + e.getMessage(), e);
    } finally {
      deleteRecursively(scratch);
    }
  }

  /** Precision, recall and false-positive rate of the artifact's own calibrated threshold on the test rows. */
  static String atThreshold(boolean[] flagged, int[] labels, double targetFpr) {
    int tp = 0;
    int fp = 0;
    int positives = 0;
    int negatives = 0;
    for (int i = 0; i < flagged.length; i++) {
      boolean anomaly = labels[i] == 1;
      positives += anomaly ? 1 : 0;
      negatives += anomaly ? 0 : 1;
      tp += flagged[i] && anomaly ? 1 : 0;
      fp += flagged[i] && !anomaly ? 1 : 0;
    }
    return String.format(Locale.ROOT, "at the default threshold (target FPR %s): precision %.3f, recall %.3f, FPR"
        + " %.4f", targetFpr, tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp),
        positives == 0 ? Double.NaN : (double) tp / positives, negatives == 0 ? Double.NaN : (double) fp / negatives);
  }

  /** Training steps, epochs and how training ended, from the artifact's provenance. */
  private static String note(Path artifact) throws IOException {
    JsonNode p = JSON.readTree(artifact.resolve(ModelArtifact.MANIFEST).toFile()).get("provenance");
    return String.format(Locale.ROOT, "%d steps, epochs run/best %d/%d, batch %d, %s, %.0f s training",
        p.get("steps").asLong(), p.get("epochs_run").asInt(), p.get("best_epoch").asInt(), p.get("batch_size").asInt(),
        p.get("stopped_early").asBoolean() ? "early stop" : "budget", p.get("training_seconds").asDouble());
  }

  /**
   * Trains this flow on {@code train} with the {@code train} command and writes the artifact to {@code artifact}.
   *
   * @param train the rows to fit (labels are dropped)
   * @param seed the seed
   * @param artifact the artifact directory to create
   * @param extraArguments more {@code train} flags (none for the quality suite: it measures the defaults)
   * @throws IOException if the CSV cannot be written or training fails (with the command's error output)
   */
  public void train(Dataset train, long seed, Path artifact, String... extraArguments) throws IOException {
    Path csv = artifact.resolveSibling(artifact.getFileName() + "-train.csv");
    writeCsv(train, csv);
    List<String> args = new ArrayList<>(List.of("train", "--data", csv.toString(), "--out", artifact.toString()));
    args.addAll(trainArguments(seed));
    args.addAll(List.of(extraArguments));
    StringWriter err = new StringWriter();
    CommandLine commandLine = ImpflowCli.commandLine();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    int code = commandLine.execute(args.toArray(String[]::new));
    Files.deleteIfExists(csv);
    if (code != 0) {
      throw new IOException("./impflow " + String.join(" ", args) + " exited with " + code + ": " + err);
    }
  }

  /** The rows as a CSV with a header of feature names; {@link Double#toString} round-trips every value exactly. */
  static void writeCsv(Dataset data, Path csv) throws IOException {
    try (BufferedWriter writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      writer.write(String.join(",", data.featureNames()));
      writer.write('\n');
      StringBuilder line = new StringBuilder();
      for (double[] row : data.rows()) {
        line.setLength(0);
        for (int j = 0; j < row.length; j++) {
          line.append(j == 0 ? "" : ",").append(row[j]);
        }
        writer.write(line.append('\n').toString());
      }
    }
  }

  private static void deleteRecursively(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the scratch model directory " + root, e);
    }
  }
}
