package io.impflow.job.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Values of flags not given on the command line: an environment variable {@code IMPFLOW_JOB_<FLAG>} first, then a
 * {@code <flag>=<value>} line of the {@code --config} properties file; picocli falls back to the declared default.
 */
final class JobDefaults implements IDefaultValueProvider {
  /** Prefix of the environment variables that carry flag values. */
  static final String ENV_PREFIX = "IMPFLOW_JOB_";

  private final Map<String, String> environment;
  private final Supplier<String> configFile;
  private Properties fileValues;

  /**
   * Defaults from {@code environment} and from the file that {@code configFile} names once the command line is
   * parsed (null for none).
   */
  JobDefaults(Map<String, String> environment, Supplier<String> configFile) {
    this.environment = environment;
    this.configFile = configFile;
  }

  /** The environment variable that carries {@code --flag}'s value. */
  static String environmentVariable(String flag) {
    return ENV_PREFIX + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec) || ((OptionSpec) argSpec).usageHelp()) {
      return null;
    }
    String flag = ((OptionSpec) argSpec).longestName();
    String fromEnvironment = environment.get(environmentVariable(flag));
    if (fromEnvironment != null || flag.equals("--config")) {
      return fromEnvironment;
    }
    return fileValues().getProperty(flag.substring(2));
  }

  /** The {@code --config} file's values (empty without one), read once. */
  Properties fileValues() {
    if (fileValues == null) {
      fileValues = new Properties();
      // The command line's --config, else the environment's: picocli may ask for other flags before it applies
      // the environment's value to --config itself.
      String file = configFile.get() != null ? configFile.get() : environment.get(environmentVariable("--config"));
      if (file != null) {
        Path path = Path.of(file);
        try (Reader reader = Files.newBufferedReader(path)) {
          fileValues.load(reader);
        } catch (IOException | IllegalArgumentException e) {
          throw new JobConfigException("--config: cannot read " + path.toAbsolutePath() + " as a properties file ("
              + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
      }
    }
    return fileValues;
  }
}
