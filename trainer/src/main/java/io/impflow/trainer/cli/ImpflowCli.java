package io.impflow.trainer.cli;

import io.impflow.model.artifact.ArtifactException;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.fit.DeviceUnavailableException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The offline command line of impflow ({@code ./impflow train|evaluate|score|sample|retrain}). Exit codes: 0 success,
 * 1 failure (bad data, bad model, no GPU, I/O), 2 usage error (unknown or invalid flag).
 */
@Command(name = "impflow", mixinStandardHelpOptions = true, versionProvider = ImpflowCli.Version.class,
    description = "Fit, evaluate and apply exact normalizing-flow densities (ImpFlow / ResFlow) to feature data.",
    subcommands = {TrainCommand.class, EvaluateCommand.class, ScoreCommand.class, SampleCommand.class,
        RetrainCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 failure (data, model, device, I/O), 2 usage error."})
public final class ImpflowCli implements Runnable {

  /** Exit code of a failure that is not a usage error. */
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured picocli command line (case-insensitive enum values, user-facing error messages). */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new ImpflowCli());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(ImpflowCli::handleFailure);
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command: choose train, evaluate, score, sample or retrain");
  }

  /** Known failures print one clear line; anything else also prints its stack trace (a bug worth reporting). */
  private static int handleFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    String command = commandLine.getCommandName();
    if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("--")) {
      err.println("impflow " + command + ": " + e.getMessage());
      commandLine.usage(err);
      return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }
    if (e instanceof DataSourceException || e instanceof ArtifactException
        || e instanceof DeviceUnavailableException || e instanceof java.io.IOException) {
      err.println("impflow " + command + ": error: " + e.getMessage());
    } else {
      err.println("impflow " + command + ": unexpected failure: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  /** Reports the project version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"impflow " + io.impflow.trainer.fit.TrainingRun.impflowVersion()};
    }
  }
}
