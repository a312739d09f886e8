package io.impflow.demo.cluster;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the deployment checks: {@code topics}, {@code produce}, {@code await}, {@code verify}, {@code read},
 * {@code publish}.
 */
@Command(name = "cluster-check", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    subcommands = {TopicsCommand.class, ProduceCommand.class, AwaitCommand.class, VerifyCommand.class,
        ReadCommand.class, PublishCommand.class},
    description = "Checks a deployed impflow pipeline through its Kafka topics (see docker/README.md).")
public final class ClusterCheck implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private ClusterCheck() {
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a command: topics, produce, await, verify, read, publish");
  }

  /** Runs one command; exit status 0 on success, 1 when a check failed or Kafka did not answer, 2 for bad flags. */
  public static void main(String[] args) {
    Locale.setDefault(Locale.ROOT);
    System.exit(new CommandLine(new ClusterCheck()).execute(args));
  }
}
