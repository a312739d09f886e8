package io.impflow.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProduceCommandTest {

  @Test
  void aTailRowKeepsItsDirectionFromTheMeanAndMovesFactorTimesFarther() {
    double[] mean = {10, -2, 0};
    double[] row = {12, -2, -0.5};
    assertThat(ProduceCommand.intoTheTail(row, mean, 25)).containsExactly(60, -2, -12.5);
    assertThat(ProduceCommand.intoTheTail(row, mean, 1)).containsExactly(row);
  }

  @Test
  void aNegativeTailEveryOrAFactorBelowOneIsRefusedBeforeAnythingIsSent() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    int status;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status = new CommandLine(new ProduceCommand()).execute("--bootstrap-servers", "localhost:1", "--data",
          "no-such.csv", "--tail-every", "-1");
    } finally {
      System.setErr(previous);
    }
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tail-every >= 0");
  }
}
