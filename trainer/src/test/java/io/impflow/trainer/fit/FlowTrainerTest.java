package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.train.TrainableFlow;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The training loop's budgets and its trimmed likelihood, on a tiny real flow. */
class FlowTrainerTest {
  private static final FlowSpec SPEC = new FlowSpec(Architecture.RESFLOW, 2, 3, 32, 2, ActivationKind.SIN, 0.97);

  /**
   * 270 rows of N(0, 0.25 I), narrower than the base density so training has something to learn, and 30 rows of a
   * tight far cluster (the "anomalies" in a training window).
   */
  private static double[][] contaminated(long seed) {
    Random random = new Random(seed);
    double[][] rows = new double[300][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i % 10 == 0
          ? new double[] {2.5 + 0.1 * random.nextGaussian(), 2.5 + 0.1 * random.nextGaussian()}
          : new double[] {0.5 * random.nextGaussian(), 0.5 * random.nextGaussian()};
    }
    return rows;
  }

  private static TrainingConfig config(long maxSteps, double trim) {
    return new TrainingConfig(1000, 30, 3e-3, 10, 0.9, 1000, 3, DataType.FLOAT32, maxSteps,
        Double.POSITIVE_INFINITY, trim, 0);
  }

  @Test
  void theStepBudgetStopsTrainingMidEpoch() {
    double[][] rows = contaminated(1);
    try (TrainableFlow flow = TrainableFlow.create(SPEC, 3, Device.cpu(), DataType.FLOAT32)) {
      TrainingResult result = new FlowTrainer(config(7, 0), TrainingProgress.silent())
          .train(flow, rows, Arrays.copyOf(rows, 50), new StopSignal());
      assertThat(result.steps()).isEqualTo(7);    // 10 steps make an epoch here
      assertThat(result.history()).hasSize(1);
    }
  }

  @Test
  void trimmingKeepsTheLeastLikelyRowsFromPullingTheDensity() {
    double[][] rows = contaminated(2);
    double[][] cluster = Arrays.stream(rows).filter(r -> r[0] > 2).toArray(double[][]::new);
    Random random = new Random(5);
    double[][] validation = new double[100][];
    for (int i = 0; i < validation.length; i++) {
      validation[i] = new double[] {0.5 * random.nextGaussian(), 0.5 * random.nextGaussian()};
    }
    double plain;
    double trimmed;
    try (TrainableFlow flow = TrainableFlow.create(SPEC, 3, Device.cpu(), DataType.FLOAT32)) {
      new FlowTrainer(config(400, 0), TrainingProgress.silent()).train(flow, rows, validation, new StopSignal());
      plain = Arrays.stream(flow.exactLogLikelihood(cluster)).average().orElseThrow();
    }
    try (TrainableFlow flow = TrainableFlow.create(SPEC, 3, Device.cpu(), DataType.FLOAT32)) {
      new FlowTrainer(config(400, 0.15), TrainingProgress.silent()).train(flow, rows, validation, new StopSignal());
      trimmed = Arrays.stream(flow.exactLogLikelihood(cluster)).average().orElseThrow();
    }
    assertThat(plain).isFinite();
    assertThat(trimmed).as("mean log-likelihood of the far cluster, trimmed vs plain %s", plain)
        .isLessThan(plain - 0.5);
  }
}
