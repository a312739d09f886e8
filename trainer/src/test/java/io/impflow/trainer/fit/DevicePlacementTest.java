package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.train.TrainableFlow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 22, item 3: every tensor alive while {@link FlowTrainer} trains (the batch, the graph's constants, the
 * mixture base's parameters, the trimming mask, the loss, gradients, parameters restored from EMA snapshots) belongs to
 * the model's manager tree and reports the model's device.
 *
 * <p>On this CPU-only machine that proves the bookkeeping only, not GPU placement: the CPU is the only device, so the
 * device check cannot fail here; what can fail is the tree check: a tensor made by any manager outside the model's
 * (a {@code newBaseManager(Device.cpu())}, the engine's system manager) is found among all live arrays under DJL's
 * system manager and reported. On a GPU such a tensor would be made on the CPU and meet GPU weights; a tensor inside
 * the model's tree is made on the model's device by DJL (sub-managers inherit it). {@code trainer/GPU.md} says what has
 * run on a GPU.
 */
class DevicePlacementTest {

  private static final FlowSpec SPEC = new FlowSpec(Architecture.IMPFLOW, 2, 2, 8, 1, ActivationKind.LIPSWISH, 0.9);

  /** Two-component base, as {@code --base-components 2} fits: its means and factors enter the graph as tensors. */
  private static final GaussianMixture MIXTURE = new GaussianMixture(new double[] {0.6, 0.4},
      new double[][] {{-0.5, 0.2}, {0.8, -0.1}},
      new double[][][] {{{1.0, 0}, {0.3, 0.8}}, {{0.7, 0}, {-0.2, 1.1}}});

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"})
  void everyTensorOfTheTrainingGraphLivesUnderTheModelAndOnItsDevice(DataType dtype) {
    double[][] rows = rows(120, 1);
    // trimming from the first step, so the mask is in every batch's graph
    TrainingConfig config = new TrainingConfig(2, 40, 3e-3, 10, 0.9, 10, 5, dtype, 5, Double.POSITIVE_INFINITY,
        0.1, 0);
    try (TrainableFlow flow = TrainableFlow.create(SPEC, 5, Device.cpu(), dtype)) {
      flow.setBase(MIXTURE);
      NDManager model = modelManager(flow);
      Set<String> before = liveArrays();
      FlowTrainer trainer = new FlowTrainer(config, TrainingProgress.silent());
      List<Integer> batchSizes = new ArrayList<>();
      List<String> misplaced = new ArrayList<>();
      trainer.observeBatches(batch -> {
        batchSizes.add(batch.getManagedArrays().size());
        misplaced.addAll(misplaced(model, flow.device(), before));
        for (NDArray parameter : flow.parameters().values()) {
          try (NDArray gradient = parameter.getGradient()) {
            if (!gradient.getDevice().equals(flow.device())) {
              misplaced.add("gradient on " + gradient.getDevice());
            }
          }
        }
      });
      TrainingResult result = trainer.train(flow, rows, rows(40, 2), new StopSignal());

      assertThat(result.steps()).isEqualTo(5);
      assertThat(batchSizes).as("batches audited").hasSize(5);
      // the graph of one ImpFlow batch: effective weights, solver outputs, Jacobians, surrogates, mixture
      // constants, the mask; a few dozen at the least
      assertThat(batchSizes).as("arrays alive in each batch's graph").allMatch(n -> n > 50);
      assertThat(misplaced).as("tensors outside the model's manager tree or off its device").isEmpty();
      // after training: parameters and spectral state were overwritten from host EMA snapshots (restore)
      assertThat(misplaced(model, flow.device(), before)).isEmpty();
      assertThat(model.getManagedArrays()).as("parameters and power-iteration state")
          .hasSizeGreaterThanOrEqualTo(flow.parameters().size());
    }
  }

  /** The audit can fail: a tensor from a manager outside the model's tree is reported. */
  @Test
  void aTensorFromAnotherManagerIsReported() {
    try (TrainableFlow flow = TrainableFlow.create(SPEC, 5, Device.cpu(), DataType.FLOAT32);
         NDManager elsewhere = Engine.getInstance().newBaseManager(Device.cpu())) {
      NDManager model = modelManager(flow);
      Set<String> before = liveArrays();
      assertThat(misplaced(model, flow.device(), before)).isEmpty();
      elsewhere.ones(new ai.djl.ndarray.types.Shape(3));
      assertThat(misplaced(model, flow.device(), before)).hasSize(1).allMatch(s -> s.contains("outside"));
    }
  }

  private static NDManager modelManager(TrainableFlow flow) {
    return flow.parameters().values().iterator().next().getManager();
  }

  /** Every live array under DJL's system manager, the parent of every base manager. */
  private static List<NDArray> allLiveArrays() {
    try (NDManager probe = Engine.getInstance().newBaseManager()) {
      return probe.getParentManager().getManagedArrays();
    }
  }

  /** Uids of the arrays alive now (other tests' in this JVM), left out of the audit. */
  private static Set<String> liveArrays() {
    Set<String> uids = new HashSet<>();
    for (NDArray array : allLiveArrays()) {
      uids.add(array.getUid());
    }
    return uids;
  }

  /**
   * Every live array, except those in {@code before}, that is not under {@code model} or not on {@code device},
   * described.
   */
  private static List<String> misplaced(NDManager model, Device device, Set<String> before) {
    List<String> out = new ArrayList<>();
    for (NDArray array : allLiveArrays()) {
      if (before.contains(array.getUid())) {
        continue;
      }
      if (!isUnder(array.getManager(), model)) {
        out.add(describe(array) + " outside the model's manager tree (manager " + array.getManager().getName()
            + " on " + array.getManager().getDevice() + ")");
      } else if (!array.getDevice().equals(device) || !array.getManager().getDevice().equals(device)) {
        out.add(describe(array) + " on " + array.getDevice() + ", manager on " + array.getManager().getDevice());
      }
    }
    return out;
  }

  private static boolean isUnder(NDManager manager, NDManager root) {
    for (NDManager m = manager; m != null; m = m.getParentManager()) {
      if (m == root) {
        return true;
      }
      if (m.getParentManager() == m) {
        return false;
      }
    }
    return false;
  }

  private static String describe(NDArray array) {
    return array.getDataType() + array.getShape().toString() + (array.getName() == null ? "" : " " + array.getName());
  }

  private static double[][] rows(int n, long seed) {
    Random random = new Random(seed);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = new double[] {0.6 * random.nextGaussian(), 0.4 * random.nextGaussian() + 0.2};
    }
    return out;
  }
}
