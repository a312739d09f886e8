package io.impflow.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.impflow.model.RandomFlows;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.Flow;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.TrainableFlow;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The inference form of an MLP (fused first GEMM, in-place slopes) gives the same values and Jacobians. */
class LipschitzMlpTest {

    @Test
    void inferenceJacobiansEqualTheGraphFormForEveryDepthAndActivation() {
        for (ActivationKind activation : ActivationKind.values()) {
            for (int layers : new int[] {1, 2, 3}) {
                try (TrainableFlow trainable = RandomFlows.create(Architecture.RESFLOW, 5, 1, 12, layers, activation,
                        0.97, 17 + layers);
                     NDManager manager = Engine.getInstance().newBaseManager()) {
                    FlowWeights weights = trainable.effectiveWeights();
                    Map<String, NDArray> tensors = new LinkedHashMap<>();
                    for (String name : weights.names()) {
                        tensors.put(name, manager.create(weights.get(name), new Shape(weights.shape(name))));
                    }
                    LipschitzMlp plain = Flow.mlp(trainable.spec(), 0, "g", tensors);
                    LipschitzMlp inference = plain.forInference();
                    assertThat(inference.forInference()).isSameAs(inference);
                    assertThat(inference.toType(DataType.FLOAT32).dataType()).isEqualTo(DataType.FLOAT32);
                    Random random = new Random(layers);
                    double[] rows = new double[7 * 5];
                    for (int k = 0; k < rows.length; k++) {
                        rows[k] = 2 * random.nextGaussian();
                    }
                    NDArray u = manager.create(rows, new Shape(7, 5));
                    double[] expected = plain.transposedJacobian(plain.evaluate(u)).toDoubleArray();
                    LipschitzMlp.Evaluation e = inference.evaluate(u);
                    double[] actual = inference.transposedJacobian(e).toDoubleArray();
                    assertThat(e.output().toDoubleArray()).containsExactly(plain.apply(u).toDoubleArray());
                    assertThat(actual).hasSameSizeAs(expected);
                    for (int k = 0; k < expected.length; k++) {
                        assertThat(actual[k]).as("%s, %d layers, entry %d", activation, layers, k)
                                .isCloseTo(expected[k], within(1e-14));
                    }
                }
            }
        }
    }
}
