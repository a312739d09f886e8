package io.impflow.trainer.cli;

import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.DatasetScorer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code impflow score}: one CSV output row per input row with log-likelihood, score, p-value and flag. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Score every row of --data with a trained model and write a CSV with one row per input row, in input"
            + " order: log_likelihood (exact, float64, raw feature space, nats), score (= -log_likelihood),"
            + " p_value (calibrated tail probability), is_anomaly (true/false), solver_residual (largest relative"
            + " residual of the per-row solve), status (SCORED, or why the row could not be scored),"
            + " constant_departure (empty, or the name of a feature that was constant in training and that the row"
            + " departs from: its log_likelihood is then -Infinity and it is flagged).",
        "The model's feature names select the data's columns. With --split the test part is used by default."},
    footer = {"", "Example: ./impflow score --model models/shuttle --data datasets/shuttle.csv --out scores.csv"})
final class ScoreCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ScoreCommand.class);

  /** Header of the output CSV. */
  static final String HEADER =
      "log_likelihood,score,p_value,is_anomaly,solver_residual,status,constant_departure";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Mixin DataOptions dataOptions;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Output CSV ('-' for stdout); written completely or not at all.")
  Path out;

  @Option(names = "--seed", defaultValue = "2", paramLabel = "S",
      description = "Seed of toy: data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    try (DensityModel model = modelOptions.load()) {
      Calibration calibration = modelOptions.calibration(model);
      Dataset data = dataOptions.load(seed, model.featureNames(), SplitProtocol.Part.TEST);
      DatasetScorer.ScoredRows scored = DatasetScorer.score(model, data.rows(), calibration);
      CsvOutput.write(out, spec.commandLine().getOut(), writer -> {
        writer.write(HEADER);
        writer.write('\n');
        for (int i = 0; i < data.size(); i++) {
          double ll = scored.logLikelihood()[i];
          writer.write(ll + "," + (-ll) + "," + scored.pValue()[i] + "," + scored.anomaly()[i] + ","
              + scored.residual()[i] + "," + scored.status()[i] + ","
              + (scored.constantDeparture()[i] == null ? "" : scored.constantDeparture()[i]) + "\n");
        }
      });
      int flagged = 0;
      for (boolean a : scored.anomaly()) {
        flagged += a ? 1 : 0;
      }
      LOG.info("scored {} rows ({} flagged, {} unscored) into {}", data.size(), flagged, scored.unscored(), out);
      if (!scored.constantDepartures().isEmpty()) {
        LOG.warn("rows departing from a feature that was constant in training (log-likelihood -Infinity, flagged),"
            + " by feature: {}", scored.constantDepartures());
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
