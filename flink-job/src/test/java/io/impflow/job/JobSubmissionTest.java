package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's {@code main} submitted the way {@code flink run} and the REST API's {@code POST /jars/:id/run} run it
 * (Flink's {@code ClientUtils.executeProgram}: Flink's stream context environment installed, then {@code main} called
 * through the {@link PackagedProgram} in the submitting process, the JobManager for REST): a bad configuration fails
 * the submission with an exception naming the problem and leaves that process running. Were {@code main} to call
 * {@code System.exit}, it would end this test JVM, and the build would report the crash.
 */
class JobSubmissionTest {
  @TempDir
  Path dir;

  @Test
  void aBadFlagFailsTheSubmissionWithAnExceptionNamingIt() throws Exception {
    Path model = TestModels.writeCalibratedModel(dir, 5);
    PackagedProgram program = program("--model", model.toString(), "--batch-size", "4", "--batch-size", "0");

    assertThatThrownBy(() -> submit(program))
        .isInstanceOf(ProgramInvocationException.class)
        .hasCauseInstanceOf(JobConfigException.class)
        .hasMessageContaining("--batch-size given twice");
    assertThat(AnomalyDetectionJob.ownsJvm(StreamExecutionEnvironment.getExecutionEnvironment()))
        .as("the context environment is gone after the submission").isTrue();
  }

  @Test
  void aModelThatCannotBeLoadedFailsTheSubmissionWithAnExceptionNamingIt() throws Exception {
    Path notAnArtifact = Files.createDirectory(dir.resolve("not-an-artifact"));
    PackagedProgram program = program("--model", notAnArtifact.toString());

    assertThatThrownBy(() -> submit(program))
        .isInstanceOf(ProgramInvocationException.class)
        .hasCauseInstanceOf(JobConfigException.class)
        .hasMessageContaining("--model " + notAnArtifact.toAbsolutePath() + " cannot be loaded");
  }

  @Test
  void onlyAJvmWithoutFlinksContextEnvironmentIsTheJobsOwn() {
    // Started with java (./impflow job): no context environment, the job's JVM.
    assertThat(AnomalyDetectionJob.ownsJvm(StreamExecutionEnvironment.getExecutionEnvironment())).isTrue();
    StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), new Configuration(),
        getClass().getClassLoader(), false, true);
    try {
      assertThat(AnomalyDetectionJob.ownsJvm(StreamExecutionEnvironment.getExecutionEnvironment())).isFalse();
    } finally {
      StreamContextEnvironment.unsetAsContext();
    }
  }

  private static PackagedProgram program(String... args) throws ProgramInvocationException {
    return PackagedProgram.newBuilder().setEntryPointClassName(AnomalyDetectionJob.class.getName())
        .setArguments(args).build();
  }

  /**
   * What {@code ClientUtils.executeProgram} does for {@code flink run} (CliFrontend) and the JobManager's jar-run
   * handler, less the context of the DataStream V2 API (it needs {@code --add-opens java.base/java.util}, which Flink's
   * own JVMs have and this test JVM has not; the job uses the DataStream API whose context this installs).
   */
  private static void submit(PackagedProgram program) throws ProgramInvocationException {
    StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), new Configuration(),
        program.getUserCodeClassLoader(), false, true);
    try {
      program.invokeInteractiveModeForExecution();
    } finally {
      StreamContextEnvironment.unsetAsContext();
    }
  }
}
