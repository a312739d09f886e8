package io.impflow.bench.quality;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detection-quality suite's entry point: runs ImpFlow, ResFlow (twice the blocks, the same parameter count),
 * Random Cut Forest in batch and streaming mode and a full-covariance Gaussian on the bundled ODDS datasets, both
 * protocols and several seeds, measures the one-core float64 peak, and rewrites the generated regions of
 * {@code docs/benchmarks.md}. Run it from the repository root through {@code bench/run-benchmarks.sh}.
 */
public final class QualitySuite {

  private static final Logger LOG = LoggerFactory.getLogger(QualitySuite.class);

  /** The flows' architecture: the trainer CLI's defaults (g = d-64-64-d, sin, c = 0.97), ImpFlow with 2 blocks. */
  static final int IMPFLOW_BLOCKS = 2;
  static final int HIDDEN = 64;
  static final int LAYERS = 2;
  static final ActivationKind ACTIVATION = ActivationKind.SIN;
  static final double LIPSCHITZ = 0.97;

  /**
   * Parsed command line.
   *
   * @param dataDir directory of the bundled CSVs
   * @param doc the markdown document to update
   * @param pom the parent POM (for declared versions)
   * @param csv where to write per-seed results
   * @param datasets dataset names (CSV file names without {@code .csv})
   * @param protocols split protocols
   * @param seeds seeds
   * @param budget the flows' training budget
   * @param peakSeconds seconds to measure the float64 peak; 0 skips it
   * @param methods method keys to run, in table order
   */
  record Options(Path dataDir, Path doc, Path pom, Path csv, List<String> datasets, List<SplitProtocol> protocols,
      List<Long> seeds, FlowBudget budget, double peakSeconds, List<String> methods) {

    static Options parse(String[] args) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("--data-dir", "datasets");
      values.put("--doc", "docs/benchmarks.md");
      values.put("--pom", "pom.xml");
      values.put("--csv", "bench/target/quality-runs.csv");
      values.put("--datasets", "shuttle,satellite,pima,breastw");
      values.put("--protocols", "clean,contaminated");
      values.put("--seeds", "1,2,3");
      values.put("--flow-epochs", "20");
      values.put("--flow-patience", "4");
      values.put("--flow-max-rows", "3000");
      values.put("--peak-seconds", String.valueOf(Float64FmaPeak.DEFAULT_SECONDS));
      values.put("--methods", "impflow,resflow,rcf-batch,rcf-streaming,gaussian");
      for (int i = 0; i < args.length; i++) {
        if (!values.containsKey(args[i])) {
          throw new IllegalArgumentException("unknown option '" + args[i] + "'; known: " + values.keySet());
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        values.put(args[i], args[++i]);
      }
      List<SplitProtocol> protocols = new ArrayList<>();
      for (String p : list(values.get("--protocols"))) {
        protocols.add(Arrays.stream(SplitProtocol.values()).filter(v -> v.cliName().equals(p)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--protocols: '" + p + "' is not clean or contaminated")));
      }
      return new Options(Path.of(values.get("--data-dir")), Path.of(values.get("--doc")),
          Path.of(values.get("--pom")), Path.of(values.get("--csv")), list(values.get("--datasets")), protocols,
          list(values.get("--seeds")).stream().map(s -> parseLong("--seeds", s)).toList(),
          new FlowBudget(parseInt("--flow-epochs", values), parseInt("--flow-patience", values),
              parseInt("--flow-max-rows", values)),
          parseDouble("--peak-seconds", values.get("--peak-seconds")), list(values.get("--methods")));
    }

    private static List<String> list(String value) {
      return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int parseInt(String flag, Map<String, String> values) {
      return (int) parseLong(flag, values.get(flag));
    }

    private static long parseLong(String flag, String value) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + ": '" + value + "' is not an integer");
      }
    }

    private static double parseDouble(String flag, String value) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + ": '" + value + "' is not a number");
      }
    }
  }

  private QualitySuite() {}

  /** The methods of the suite by their {@code --methods} key, in table order. */
  static Map<String, DetectionMethod> methods(FlowBudget budget) {
    Map<String, DetectionMethod> methods = new LinkedHashMap<>();
    methods.put("impflow", new FlowMethod("ImpFlow", Architecture.IMPFLOW, IMPFLOW_BLOCKS, HIDDEN, LAYERS,
        ACTIVATION, LIPSCHITZ, budget));
    methods.put("resflow", new FlowMethod("ResFlow", Architecture.RESFLOW, 2 * IMPFLOW_BLOCKS, HIDDEN, LAYERS,
        ACTIVATION, LIPSCHITZ, budget));
    methods.put("rcf-batch", new RandomCutForestMethod(RandomCutForestMethod.Mode.BATCH));
    methods.put("rcf-streaming", new RandomCutForestMethod(RandomCutForestMethod.Mode.STREAMING));
    methods.put("gaussian", new GaussianDensityMethod());
    return methods;
  }

  static List<DetectionMethod> selected(Options options) {
    Map<String, DetectionMethod> all = methods(options.budget());
    List<DetectionMethod> chosen = new ArrayList<>();
    for (String key : options.methods()) {
      DetectionMethod method = all.get(key);
      if (method == null) {
        throw new IllegalArgumentException("--methods: unknown method '" + key + "'; known: " + all.keySet());
      }
      chosen.add(method);
    }
    return chosen;
  }

  /** Runs the suite; exit code 2 for a bad command line, 1 when a dataset or method fails. */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      selected(options);
    } catch (IllegalArgumentException e) {
      System.err.println("quality suite: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      run(options);
    } catch (DataSourceException | MethodFailedException | IOException e) {
      LOG.error("quality suite failed: {}", e.getMessage(), e);
      System.exit(1);
    }
  }

  static void run(Options options) throws DataSourceException, MethodFailedException, IOException {
    Instant started = Instant.now();
    long start = System.nanoTime();
    Map<String, String> machine = MachineDescription.describe(options.pom());
    Map<String, Dataset> datasets = new LinkedHashMap<>();
    for (String name : options.datasets()) {
      Path csv = options.dataDir().resolve(name + ".csv");
      datasets.put(name, new CsvDataSource(csv, new DataReadOptions(DataReadOptions.DEFAULT_LABEL_COLUMN, true,
          List.of(), 1, 0L, null, 0L)).read());
    }
    List<DetectionMethod> methods = selected(options);
    Map<String, Long> parameters = QualityReport.parameterCounts(methods, datasets);
    List<RunRecord> records = new SuiteRunner(methods, options.protocols(), options.seeds()).run(datasets);
    double suiteSeconds = (System.nanoTime() - start) / 1e9;

    Float64FmaPeak.Measurement peak = options.peakSeconds() > 0
        ? Float64FmaPeak.measure(Float64FmaPeak.DEFAULT_ORDER, options.peakSeconds()) : null;
    machine.put("Load average at end (1/5/15 min)", Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0]
        + " / " + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[1] + " / "
        + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[2]);
    machine.put("Run", started.truncatedTo(ChronoUnit.SECONDS) + ", quality suite "
        + String.format(Locale.ROOT, "%.1f min", suiteSeconds / 60));

    QualityReport report = new QualityReport(records, datasets, parameters);
    GeneratedSections.replaceInFile(options.doc(), "machine", MachineDescription.markdown(machine));
    GeneratedSections.replaceInFile(options.doc(), "quality-settings", settings(options, methods, datasets));
    GeneratedSections.replaceInFile(options.doc(), "quality", report.markdown());
    if (peak != null) {
      GeneratedSections.replaceInFile(options.doc(), "peak", "One-core float64 peak (dense kernel, "
          + Float64FmaPeak.class.getName() + "): " + peak.describe() + ".\n");
    }
    Files.createDirectories(options.csv().toAbsolutePath().getParent());
    Files.writeString(options.csv(), report.csv(), StandardCharsets.UTF_8);
    LOG.info("wrote {} and {} ({} runs, {} min)", options.doc(), options.csv(), records.size(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 6e10));
  }

  private static String settings(Options options, List<DetectionMethod> methods, Map<String, Dataset> datasets) {
    FlowBudget b = options.budget();
    int anyDimension = datasets.values().iterator().next().dimension();
    StringBuilder md = new StringBuilder();
    md.append("| method | configuration |\n|---|---|\n");
    for (DetectionMethod method : methods) {
      String configuration;
      if (method instanceof FlowMethod flow) {
        configuration = flow.describe(anyDimension).replace("g = " + anyDimension + "-", "g = d-")
            .replace("-" + anyDimension + ",", "-d,")
            + String.format(Locale.ROOT, "; float32 training, Adam lr %s, clip %s, EMA %s; at most %d epochs,"
            + " early stopping after %d epochs without a better validation NLL (%.0f %% of the fit rows held out);"
            + " at most %,d fit rows (seeded random subset of larger training parts); batch %d (%d below %,d rows);"
            + " exact float64 scoring of the exported artifact", FlowMethod.LEARNING_RATE, FlowMethod.GRADIENT_CLIP,
            FlowMethod.EMA_DECAY, b.epochs(), b.patience(), 100 * FlowMethod.VALIDATION_FRACTION, b.maxTrainRows(),
            FlowBudget.BATCH, FlowBudget.SMALL_DATA_BATCH, FlowBudget.SMALL_DATA_ROWS);
      } else if (method instanceof RandomCutForestMethod) {
        configuration = "randomcutforest-core, " + RandomCutForestMethod.TREES + " trees, sample size "
            + RandomCutForestMethod.SAMPLE_SIZE + ", one thread, library defaults otherwise; features standardized"
            + " by the training part; rows in a seeded random order"
            + (method.name().contains("streaming") ? "; score-then-update through the training part (warm-up,"
            + " scores discarded) and then the test part (scored)" : "; all training rows inserted, then the test"
            + " rows scored with the forest frozen");
      } else {
        configuration = "maximum-likelihood mean and covariance of all training rows, float64 Cholesky, exact"
            + " log-density";
      }
      md.append("| ").append(method.name()).append(" | ").append(configuration).append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%nProtocols: %s; seeds %s. Fit time is the wall time of fitting (for"
        + " the flows: the trainer's whole training run, including hold-out scoring and artifact export). Scoring"
        + " rows/s is test rows per second on one thread (the flows: batches of 1,024 rows through the loaded"
        + " artifact; cheap methods: repeated over ≥ %.2f s).%n", options.protocols().stream()
        .map(SplitProtocol::cliName).toList(), options.seeds(), RepeatedTiming.MIN_SECONDS));
    return md.toString();
  }
}
