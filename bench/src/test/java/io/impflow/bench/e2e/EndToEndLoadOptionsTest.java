package io.impflow.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndToEndLoadOptionsTest {
  @TempDir
  Path dir;

  private static EndToEndLoad.Options parse(String... args) {
    return EndToEndLoad.Options.parse(args);
  }

  @Test
  void defaultsTrainOnShuttleAndProduceAsFastAsPossible() {
    EndToEndLoad.Options options = parse();
    assertThat(options.records()).isEqualTo(20_000);
    assertThat(options.rate()).isInfinite();
    assertThat(options.unpaced()).isTrue();
    assertThat(options.checkpointInterval()).isEqualTo("1s");
    assertThat(options.batchSize()).isEqualTo(256);
    assertThat(options.batchTimeout()).isEqualTo("10ms");
    assertThat(options.flowSteps()).isEqualTo(150);
    assertThat(options.model()).isNull();
    assertThat(options.dataDir()).isEqualTo(Path.of("datasets"));
    assertThat(options.doc()).isEqualTo(Path.of("docs/benchmarks.md"));
  }

  @Test
  void aPacedRunOnAGivenModelWithoutADocument() {
    EndToEndLoad.Options options = parse("--records", "20000", "--rate", "400", "--checkpoint-interval", "10s",
        "--batch-timeout", "100ms", "--model", dir.toString(), "--doc", "none");
    assertThat(options.rate()).isEqualTo(400.0);
    assertThat(options.unpaced()).isFalse();
    assertThat(options.checkpointInterval()).isEqualTo("10s");
    assertThat(options.batchTimeout()).isEqualTo("100ms");
    assertThat(options.model()).isEqualTo(dir);
    assertThat(options.doc()).isNull();
    assertThat(parse("--rate", "max").unpaced()).isTrue();
    assertThat(parse("--rate", "12.5").rate()).isEqualTo(12.5);
  }

  @Test
  void theJobGetsTheRunsFlags() {
    EndToEndLoad.Options options = parse("--checkpoint-interval", "2s", "--batch-size", "64", "--batch-timeout",
        "5ms");
    JobConfig config = JobConfig.parse(options.jobFlags(dir.toString(), "broker:9092", "r1"));
    assertThat(config.checkpointIntervalMillis()).isEqualTo(2000);
    assertThat(config.batchSize()).isEqualTo(64);
    assertThat(config.batchTimeoutMillis()).isEqualTo(5);
    assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
    assertThat(config.modelPath()).isEqualTo(dir);
  }

  @Test
  void badValuesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> parse("--rate", "0")).hasMessageContaining("--rate").hasMessageContaining("'0'");
    assertThatThrownBy(() -> parse("--rate", "-5")).hasMessageContaining("--rate");
    assertThatThrownBy(() -> parse("--rate", "fast")).hasMessageContaining("--rate").hasMessageContaining("max");
    assertThatThrownBy(() -> parse("--rate", "Infinity")).hasMessageContaining("--rate");
    assertThatThrownBy(() -> parse("--records", "0")).hasMessageContaining("--records must be a whole number >= 1");
    assertThatThrownBy(() -> parse("--batch-size", "many")).hasMessageContaining("--batch-size");
    assertThatThrownBy(() -> parse("--flow-steps", "-1")).hasMessageContaining("--flow-steps");
    assertThatThrownBy(() -> parse("--speed", "9")).hasMessageContaining("unknown option")
        .hasMessageContaining("'--speed'");
    assertThatThrownBy(() -> parse("--rate")).hasMessageContaining("missing value");
  }

  @Test
  void theJobsOwnRulesCheckItsFlagsBeforeAnyWork() {
    assertThatThrownBy(() -> parse("--checkpoint-interval", "1 second")).isInstanceOf(JobConfigException.class)
        .hasMessageContaining("--checkpoint-interval must be a duration");
    assertThatThrownBy(() -> parse("--checkpoint-interval", "5ms")).isInstanceOf(JobConfigException.class)
        .hasMessageContaining("≥ 10ms");
    assertThatThrownBy(() -> parse("--checkpoint-interval", "20min")).isInstanceOf(JobConfigException.class)
        .hasMessageContaining("--transaction-timeout");
    assertThatThrownBy(() -> parse("--batch-timeout", "0ms")).isInstanceOf(JobConfigException.class)
        .hasMessageContaining("--batch-timeout");
    assertThatThrownBy(() -> parse("--model", dir.resolve("absent").toString()))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--model must be an artifact directory");
  }
}
