package io.impflow.bench.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The step-rate tool times exactly the requested steps of the real training loop and reports where it ran. */
class TrainingStepRateTest {

  private static final String DATA = Path.of("..", "datasets", "pima.csv").toString();

  @Test
  void reportsTheTimedStepsTheirRateAndTheDevice() throws Exception {
    Map<String, String> out = run(DATA, "cpu", "hidden=8", "blocks=1", "batch=32", "steps=3", "warmup=1");
    assertThat(out).containsEntry("djl_device", "cpu()").containsEntry("cuda", "false");
    assertThat(out.get("config")).contains("IMPFLOW d=8 hidden=8 blocks=1 batch=32 dtype=float32");
    String[] timing = out.get("timed_steps").split(" ");
    assertThat(timing[0]).isEqualTo("3");
    double wall = Double.parseDouble(timing[1].substring("wall_s=".length()));
    double rate = Double.parseDouble(timing[3].substring("steps_per_s=".length()));
    assertThat(wall).isPositive();
    // six printed decimals: the rate and 3 / wall agree to far better than 0.1 %
    assertThat(rate).isCloseTo(3 / wall, org.assertj.core.api.Assertions.within(1e-3 * rate));
  }

  @Test
  void anUnknownOptionIsNamed() {
    assertThatThrownBy(() -> TrainingStepRate.main(new String[] {DATA, "cpu", "hiden=8"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hiden=8");
  }

  private static Map<String, String> run(String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      TrainingStepRate.main(args);
    } finally {
      System.setOut(original);
    }
    return Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(line -> line.contains("="))
        .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
            line -> line.substring(line.indexOf('=') + 1), (a, b) -> b));
  }
}
