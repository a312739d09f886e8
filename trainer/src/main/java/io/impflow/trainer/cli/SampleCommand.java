package io.impflow.trainer.cli;

import io.impflow.model.DensityModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code impflow sample}: draws rows from a trained model into a CSV with the feature names as header. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Draw --rows samples from a trained model (z ~ N(0, I) through the exact inverse flow) and write"
        + " them as CSV in raw feature space, with the model's feature names as header.",
    footer = {"", "Example: ./impflow sample --model models/toy --rows 1000 --out samples.csv"})
final class SampleCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SampleCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--rows", required = true, paramLabel = "N", description = "Number of samples.")
  int rows;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Output CSV ('-' for stdout); written completely or not at all.")
  Path out;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
      description = "Seed of the base-distribution draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (rows < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rows must be >= 1, got " + rows);
    }
    try (DensityModel model = modelOptions.load()) {
      double[][] samples = model.sample(rows, seed);
      CsvOutput.write(out, spec.commandLine().getOut(), writer -> {
        writer.write(String.join(",", model.featureNames()));
        writer.write('\n');
        for (double[] sample : samples) {
          StringBuilder line = new StringBuilder();
          for (int j = 0; j < sample.length; j++) {
            line.append(j == 0 ? "" : ",").append(sample[j]);
          }
          writer.write(line.append('\n').toString());
        }
      });
      LOG.info("wrote {} samples to {}", rows, out);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
