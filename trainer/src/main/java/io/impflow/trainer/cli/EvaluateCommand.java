package io.impflow.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.DatasetScorer;
import io.impflow.trainer.eval.DetectionMetrics;
import io.impflow.trainer.report.ModelReport;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code impflow evaluate}: mean NLL and, with labels, AUROC, AUPRC, precision and recall of a model on data. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Score --data with a trained model and report the mean negative log-likelihood (nats, raw feature space)"
            + " and, when the data has a 0/1 label column, AUROC and AUPRC of the score (= -log-likelihood,"
            + " exact and tie-aware) and precision/recall of the calibrated anomaly flag.",
        "The model's feature names select the data's columns. With --split the test part is used by default.",
        "--json prints exactly one JSON object on stdout (keys: rows, unscored, constant_departures, nll,"
            + " threshold, flagged, and with labels anomalies, nll_normal, auroc, auprc, precision, recall,"
            + " false_positive_rate); logs go to stderr. The threshold is a score (-log-likelihood): rows scoring"
            + " above it are flagged.",
        "A row that departs from a feature that was constant in training has log-likelihood -Infinity: it is"
            + " flagged, ranked most anomalous, counted in constant_departures (the features are named in the log)"
            + " and left out of nll and nll_normal, which average the rows with a finite log-likelihood."},
    footer = {"", "Example: ./impflow evaluate --model models/shuttle --data datasets/shuttle.csv --split clean --json"})
final class EvaluateCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Mixin DataOptions dataOptions;

  @Option(names = "--seed", defaultValue = "2", paramLabel = "S",
      description = "Seed of toy: data (default: ${DEFAULT-VALUE}, i.e. fresh rows for a model trained with seed 1).")
  long seed;

  @Option(names = "--json", description = "Print one JSON object on stdout instead of a table.")
  boolean json;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Write PNG charts (score histogram of normal vs anomalous rows with the threshold, ROC curve,"
          + " 2D density heat-map) into DIR.")
  Path report;

  @Override
  public Integer call() throws Exception {
    try (DensityModel model = modelOptions.load()) {
      Calibration calibration = modelOptions.calibration(model);
      Dataset data = dataOptions.load(seed, model.featureNames(), SplitProtocol.Part.TEST);
      DatasetScorer.ScoredRows scored = DatasetScorer.score(model, data.rows(), calibration);
      if (scored.unscored() > 0) {
        LOG.warn("{} of {} rows could not be scored (solver did not converge); they count as anomalies",
            scored.unscored(), data.size());
      }
      if (!scored.constantDepartures().isEmpty()) {
        LOG.warn("rows departing from a feature that was constant in training (log-likelihood -Infinity; flagged,"
            + " left out of nll), by feature: {}", scored.constantDepartures());
      }
      DetectionMetrics metrics = DetectionMetrics.of(scored.logLikelihood(), scored.anomaly(), data.labels(),
          -calibration.threshold());
      if (json) {
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(metrics));
      } else {
        spec.commandLine().getOut().print(table(metrics));
      }
      if (report != null) {
        LOG.info("report: {}", ModelReport.evaluation(report, model, data.rows(), data.labels()));
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  private static String table(DetectionMetrics m) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "rows         %d%n", m.rows()));
    out.append(String.format(Locale.ROOT, "unscored     %d%n", m.unscored()));
    out.append(String.format(Locale.ROOT, "departures   %d (a training-constant feature differs: log-likelihood"
        + " -Infinity, not in nll)%n", m.constantDepartures()));
    out.append(String.format(Locale.ROOT, "nll          %.6f nats (rows with a finite log-likelihood)%n", m.nll()));
    if (m.anomalies() != null) {
      out.append(String.format(Locale.ROOT, "anomalies    %d%n", m.anomalies()));
      out.append(String.format(Locale.ROOT, "nll_normal   %s%n", format(m.nllNormal())));
      out.append(String.format(Locale.ROOT, "auroc        %s%n", format(m.auroc())));
      out.append(String.format(Locale.ROOT, "auprc        %s%n", format(m.auprc())));
    }
    out.append(String.format(Locale.ROOT, "threshold    %.6f (score = -log-likelihood)%n", m.threshold()));
    out.append(String.format(Locale.ROOT, "flagged      %d%n", m.flagged()));
    if (m.anomalies() != null) {
      out.append(String.format(Locale.ROOT, "precision    %s%n", format(m.precision())));
      out.append(String.format(Locale.ROOT, "recall       %s%n", format(m.recall())));
      out.append(String.format(Locale.ROOT, "fpr          %s%n", format(m.falsePositiveRate())));
    }
    return out.toString();
  }

  private static String format(Double value) {
    return value == null ? "n/a" : String.format(Locale.ROOT, "%.6f", value);
  }
}
