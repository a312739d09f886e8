package io.impflow.bench.quality;

import io.impflow.model.flow.Architecture;
import io.impflow.model.robust.MinimumCovarianceDeterminant;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The detection-quality suite's entry point, with two commands. {@code run} evaluates ImpFlow, ResFlow (twice the
 * blocks, the same parameter count), Random Cut Forest in batch and streaming mode, a full-covariance Gaussian, a
 * robust (MCD) Gaussian, a Gaussian mixture, Isolation Forest, k-NN distance and LOF on bundled ODDS datasets, both protocols and several seeds, and writes
 * per-seed results as CSV; several {@code run} processes on disjoint datasets can share the cores. {@code report}
 * merges result files, measures the one-core float64 peak and rewrites the generated regions of
 * {@code docs/benchmarks.md}. Run from the repository root, normally through {@code bench/run-benchmarks.sh}.
 */
public final class QualitySuite {

  private static final Logger LOG = LoggerFactory.getLogger(QualitySuite.class);

  /** Every dataset of the suite, in table order. */
  static final String ALL_DATASETS = "shuttle,satellite,pima,breastw";

  /**
   * Parsed command line (both commands share the options; each uses its own).
   *
   * @param command {@code run} or {@code report}
   * @param dataDir directory of the bundled CSVs
   * @param doc the markdown document to update (report)
   * @param pom the parent POM, for declared versions (report)
   * @param results result CSVs: the one to write (run) or those to merge (report)
   * @param datasets dataset names (CSV file names without {@code .csv})
   * @param protocols split protocols (run)
   * @param seeds seeds (run)
   * @param peakSeconds CPU seconds to measure the float64 peak; 0 skips it (report)
   * @param methods method keys to run, in table order (run)
   * @param startedEpochSecond when the whole regeneration started, for its duration (report), or 0
   * @param revision the source revision measured (report), or an empty string
   * @param stopAfterMinutes no new case starts after this many minutes (run); 0 for no limit
   */
  record Options(String command, Path dataDir, Path doc, Path pom, List<Path> results, List<String> datasets,
      List<SplitProtocol> protocols, List<Long> seeds, double peakSeconds, List<String> methods,
      long startedEpochSecond, String revision, double stopAfterMinutes) {

    static Options parse(String[] args) {
      if (args.length == 0 || !(args[0].equals("run") || args[0].equals("report"))) {
        throw new IllegalArgumentException("the first argument must be the command: run or report");
      }
      Map<String, String> values = new LinkedHashMap<>();
      values.put("--data-dir", "datasets");
      values.put("--doc", "docs/benchmarks.md");
      values.put("--pom", "pom.xml");
      values.put("--results", "bench/target/quality-runs.csv");
      values.put("--datasets", ALL_DATASETS);
      values.put("--protocols", "clean,contaminated");
      values.put("--seeds", "1,2,3");
      values.put("--peak-seconds", String.valueOf(Float64FmaPeak.DEFAULT_SECONDS));
      values.put("--methods", "impflow,resflow,rcf-batch,rcf-streaming,gaussian,mcd,gmm,iforest,knn,lof");
      values.put("--started", "0");
      values.put("--revision", "");
      values.put("--stop-after-minutes", "0");
      for (int i = 1; i < args.length; i++) {
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
      return new Options(args[0], Path.of(values.get("--data-dir")), Path.of(values.get("--doc")),
          Path.of(values.get("--pom")), list(values.get("--results")).stream().map(Path::of).toList(),
          list(values.get("--datasets")), protocols,
          list(values.get("--seeds")).stream().map(s -> parseLong("--seeds", s)).toList(),
          parseDouble("--peak-seconds", values.get("--peak-seconds")), list(values.get("--methods")),
          parseLong("--started", values.get("--started")), values.get("--revision"),
          parseDouble("--stop-after-minutes", values.get("--stop-after-minutes")));
    }

    private static List<String> list(String value) {
      return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
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

  /** ImpFlow as {@code train} builds it by default: the model the tables and the end-to-end benchmark use. */
  public static FlowMethod impflow() {
    return new FlowMethod("ImpFlow", Architecture.IMPFLOW, Integer.parseInt(FlowMethod.trainDefault("--blocks")));
  }

  /** The methods of the suite by their {@code --methods} key, in table order. */
  static Map<String, DetectionMethod> methods() {
    Map<String, DetectionMethod> methods = new LinkedHashMap<>();
    methods.put("impflow", impflow());
    // the paper's comparison at an equal parameter count: one residual MLP per block against ImpFlow's two
    methods.put("resflow", new FlowMethod("ResFlow", Architecture.RESFLOW,
        2 * Integer.parseInt(FlowMethod.trainDefault("--blocks"))));
    methods.put("rcf-batch", new RandomCutForestMethod(RandomCutForestMethod.Mode.BATCH));
    methods.put("rcf-streaming", new RandomCutForestMethod(RandomCutForestMethod.Mode.STREAMING));
    methods.put("gaussian", new GaussianDensityMethod());
    methods.put("mcd", new MinimumCovarianceDeterminantMethod());
    methods.put("gmm", new GaussianMixtureMethod());
    methods.put("iforest", new IsolationForestMethod());
    methods.put("knn", new KnnDistanceMethod());
    methods.put("lof", new LocalOutlierFactorMethod());
    return methods;
  }

  static List<DetectionMethod> selected(Options options) {
    Map<String, DetectionMethod> all = methods();
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

  /** Runs a command; exit code 2 for a bad command line, 1 when a dataset, method or file fails. */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      selected(options);
    } catch (IllegalArgumentException e) {
      System.err.println("quality suite: " + e.getMessage());
      System.err.println("usage: QualitySuite run [--datasets a,b] [--seeds 1,2,3] [--results FILE] ..."
          + " | QualitySuite report --results FILE[,FILE] [--doc docs/benchmarks.md]");
      System.exit(2);
      return;
    }
    try {
      if (options.command().equals("run")) {
        run(options);
      } else {
        report(options);
      }
    } catch (DataSourceException | MethodFailedException | IOException e) {
      LOG.error("quality suite {} failed: {}", options.command(), e.getMessage(), e);
      System.exit(1);
    }
  }

  static Map<String, Dataset> readDatasets(Options options) throws DataSourceException {
    Map<String, Dataset> datasets = new LinkedHashMap<>();
    for (String name : options.datasets()) {
      Path csv = options.dataDir().resolve(name + ".csv");
      datasets.put(name, new CsvDataSource(csv, new DataReadOptions(DataReadOptions.DEFAULT_LABEL_COLUMN, true,
          List.of(), 1, 0L, null, 0L)).read());
    }
    return datasets;
  }

  static void run(Options options) throws DataSourceException, MethodFailedException, IOException {
    if (options.results().size() != 1) {
      throw new IllegalArgumentException("run writes one --results file, got " + options.results());
    }
    long start = System.nanoTime();
    Path results = options.results().get(0);
    Files.deleteIfExists(results);
    Instant stopAt = options.stopAfterMinutes() > 0
        ? Instant.now().plusSeconds(Math.round(options.stopAfterMinutes() * 60)) : null;
    List<RunRecord> records = new SuiteRunner(selected(options), options.protocols(), options.seeds())
        .run(readDatasets(options), record -> {
          try {
            RunRecordCsv.append(results, record);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + results, e);
          }
        }, stopAt);
    LOG.info("wrote {} runs to {} in {} min", records.size(), results,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 6e10));
  }

  static void report(Options options) throws DataSourceException, IOException {
    List<RunRecord> records = new ArrayList<>();
    for (Path results : options.results()) {
      records.addAll(RunRecordCsv.read(results));
    }
    Map<String, Dataset> datasets = readDatasets(options);
    datasets.keySet().removeIf(name -> records.stream().noneMatch(r -> r.dataset().equals(name)));
    Map<String, String> machine = MachineDescription.describe(options.pom());
    if (options.startedEpochSecond() > 0) {
      machine.put("Regeneration", String.format(Locale.ROOT, "started %s, took %.1f min (build, suite and peak)",
          Instant.ofEpochSecond(options.startedEpochSecond()).truncatedTo(ChronoUnit.SECONDS),
          (Instant.now().getEpochSecond() - options.startedEpochSecond()) / 60.0));
    }
    if (!options.revision().isEmpty()) {
      machine.put("Source revision", options.revision());
    }
    Float64FmaPeak.Measurement peak = options.peakSeconds() > 0
        ? Float64FmaPeak.measure(Float64FmaPeak.DEFAULT_ORDER, options.peakSeconds()) : null;
    QualityReport report = new QualityReport(records, datasets);
    GeneratedSections.replaceInFile(options.doc(), "machine", MachineDescription.markdown(machine));
    GeneratedSections.replaceInFile(options.doc(), "quality-settings",
        settings(options, records, methods()));
    GeneratedSections.replaceInFile(options.doc(), "quality", report.markdown());
    if (peak != null) {
      GeneratedSections.replaceInFile(options.doc(), "peak", "One-core float64 peak, measured by `"
          + Float64FmaPeak.class.getName() + "`: " + peak.describe() + ".\n");
    }
    LOG.info("wrote {} from {} runs in {}", options.doc(), records.size(), options.results());
  }

  private static String settings(Options options, List<RunRecord> records, Map<String, DetectionMethod> all) {
    List<String> shown = records.stream().map(RunRecord::method).distinct().toList();
    StringBuilder md = new StringBuilder();
    md.append("| method | configuration |\n|---|---|\n");
    for (DetectionMethod method : all.values()) {
      if (!shown.contains(method.name())) {
        continue;
      }
      String configuration;
      if (method instanceof FlowMethod flow) {
        configuration = flow.describe() + "; every other flag at `train`'s default (no suite-only budget, every"
            + " training row): " + FlowMethod.defaultsDescription() + "; the artifact scored in float64 as `evaluate`"
            + " does";
      } else if (method instanceof RandomCutForestMethod) {
        configuration = "randomcutforest-core, " + RandomCutForestMethod.TREES + " trees, sample size "
            + RandomCutForestMethod.SAMPLE_SIZE + ", one thread, library defaults otherwise; features standardized"
            + " by the training part; rows in a seeded random order"
            + (method.name().contains("streaming") ? "; score-then-update through the training part (warm-up,"
            + " scores discarded), then through the test part (scored)" : "; every training row inserted, then the"
            + " test rows scored with the forest frozen");
      } else if (method instanceof IsolationForestMethod) {
        configuration = "own implementation of Liu et al. (2008): " + IsolationForestMethod.TREES + " trees, each"
            + " grown on " + IsolationForestMethod.SAMPLE_SIZE + " training rows drawn without replacement (seeded) to"
            + " height ⌈log₂ " + IsolationForestMethod.SAMPLE_SIZE + "⌉ = "
            + IsolationForest.heightLimit(IsolationForestMethod.SAMPLE_SIZE) + "; split attribute uniform among those"
            + " that vary in the node, split value uniform between its min and max there; score 2^(−E[h(x)]/c(ψ)),"
            + " with c(n) = 2H(n−1) − 2(n−1)/n added at unsplit leaves; raw features (axis-parallel splits ignore"
            + " per-feature scaling)";
      } else if (method instanceof MinimumCovarianceDeterminantMethod) {
        configuration = "reweighted Minimum Covariance Determinant by FastMCD (Rousseeuw and Van Driessen 1999; `"
            + MinimumCovarianceDeterminant.class.getName() + "`, configured as scikit-learn's `MinCovDet`): h = ⌈(n"
            + " + d + 1)/2⌉, " + MinimumCovarianceDeterminant.TRIALS + " random (d+1)-subsets refined by C-steps"
            + " (above " + MinimumCovarianceDeterminant.LARGE + " rows on at most "
            + MinimumCovarianceDeterminant.MAX_SUBSETS + " subsets of ~" + MinimumCovarianceDeterminant.SUBSET_ROWS
            + " rows, merged, then all rows), seeded by the run's seed; singular supports skipped unless every start"
            + " leads to one (exact fit: then directions without variance are ignored, as by a pseudo-inverse); raw"
            + " covariance × median(d²)/χ²_d(0.5), then"
            + " mean and covariance of the rows with d² < χ²_d(0.975); score = squared robust Mahalanobis distance;"
            + " features standardized as for k-NN, features constant in the training part left out";
      } else if (method instanceof GaussianMixtureMethod) {
        configuration = GaussianMixtureMethod.COMPONENTS + " full-covariance components fitted by EM, configured as"
            + " scikit-learn's `GaussianMixture` defaults: responsibilities from one k-means run (greedy k-means++"
            + " seeding from the run's seed, Lloyd iterations), " + GaussianMixtureMethod.REG_COVAR + " added to each"
            + " covariance diagonal, EM until the mean log-likelihood changes by < " + GaussianMixtureMethod.TOLERANCE
            + " (at most " + GaussianMixtureMethod.MAX_ITERATIONS + " iterations); score = −log p(x), exact float64;"
            + " features standardized as for k-NN";
      } else if (method instanceof KnnDistanceMethod) {
        configuration = "mean Euclidean distance to the " + KnnDistanceMethod.K + " nearest training rows, exact"
            + " brute-force search in float64; features standardized by the training part's mean and sd (scale 1"
            + " for a constant feature); fitting is only that scaling";
      } else if (method instanceof LocalOutlierFactorMethod) {
        configuration = "own implementation of Breunig et al. (2000) in novelty mode, k = "
            + LocalOutlierFactorMethod.K + ": the training rows' neighbourhoods (a row is not its own neighbour),"
            + " k-distances and local reachability densities are fitted, each test row's LOF is computed against"
            + " them; exactly k neighbours (ties at the k-distance broken by training-row order); "
            + String.format(Locale.ROOT, "%.0e", LocalOutlierFactor.DENSITY_EPSILON) + " added to mean reachability"
            + " distances (as scikit-learn) so duplicated rows do not divide by 0; exact brute-force search in"
            + " float64; features standardized as for k-NN";
      } else {
        configuration = "maximum-likelihood mean and covariance of every training row, float64 Cholesky, exact"
            + " log-density";
      }
      md.append("| ").append(method.name()).append(" | ").append(configuration).append(" |\n");
    }
    md.append("\nFit time is the wall-clock and CPU time of fitting (for the flows, the trainer's whole training run:"
        + " hold-out, training, calibration scoring and artifact export; for LOF, the training rows' neighbour"
        + " search). Scoring rows/s is test rows per second on one thread: the flows score the loaded artifact in"
        + " batches of 1,024 rows; RCF streaming is one score-then-update pass; the other methods repeat a pass,"
        + " after one warm-up pass, for at least " + RepeatedTiming.MIN_SECONDS + " s. CPU time is the measuring thread's (PyTorch runs on it with one intra-op thread); on a shared machine it"
        + " is the steadier figure.\n");
    return md.toString();
  }
}
