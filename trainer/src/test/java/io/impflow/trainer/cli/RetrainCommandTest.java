package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.trainer.retrain.RetrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RetrainCommandTest {
  @TempDir Path dir;

  private static RetrainCommand parse(String... extra) {
    String[] base = {"retrain", "--from", "kafka://broker:9092/events", "--window-records", "100", "--serving",
        "/var/lib/impflow/models"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    CommandLine.ParseResult parsed = ImpflowCli.commandLine().parseArgs(args);
    return (RetrainCommand) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void kafkaPropertiesComeFromTheFileWithTheFlagsOverItAndSecretsAreNotShown() throws Exception {
    Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SASL_SSL\n"
        + "sasl.jaas.config=ScramLoginModule required username=\"u\" password=\"hunter2\";\n");
    RetrainOptions options = parse("--kafka-properties-file", file.toString(), "--kafka-property",
        "security.protocol=SSL").options();
    assertThat(options.bootstrapServers()).isEqualTo("broker:9092");
    assertThat(options.kafkaProperties()).containsEntry("security.protocol", "SSL")
        .containsEntry("sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"hunter2\";");
    assertThat(options.toString()).contains("security.protocol=SSL").doesNotContain("hunter2");
  }

  @Test
  void aBadKafkaPropertyOrAnUnreadableFileIsAUsageErrorThatDoesNotEchoTheValue() {
    assertThatThrownBy(() -> parse("--kafka-property", "hunter2").options())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--kafka-property must be KEY=VALUE")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> parse("--kafka-properties-file", dir.resolve("absent").toString()).options())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--kafka-properties-file");
  }
}
