package io.impflow.trainer.fit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with global gradient-norm clipping, on host float64 moments: reads each parameter's gradient, clips the
 * norm over all parameters, subtracts the step from the parameter in place, and zeroes the gradient (PyTorch
 * accumulates gradients across backward passes). Tensors are only changed by in-place tensor operations: DJL's
 * {@code set(Buffer)} may make a CPU tensor borrow the Java buffer's memory, which must not outlive the handle.
 */
final class AdamOptimizer {

  private static final NDIndex ALL = new NDIndex("...");

  private final double learningRate;
  private final double clipNorm;
  private final Map<String, double[]> firstMoment = new HashMap<>();
  private final Map<String, double[]> secondMoment = new HashMap<>();
  private long steps;

  AdamOptimizer(double learningRate, double clipNorm) {
    this.learningRate = learningRate;
    this.clipNorm = clipNorm;
  }

  /**
   * One step on {@code parameters} from their accumulated gradients.
   *
   * @param apply false to only zero the gradients (e.g. after a non-finite loss)
   * @return the global gradient norm before clipping; when it is not finite the step is skipped (gradients are
   *     still zeroed) and the caller decides what to report
   */
  double step(Map<String, NDArray> parameters, boolean apply) {
    Map<String, double[]> gradients = new HashMap<>();
    double squaredNorm = 0;
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      try (NDArray gradient = entry.getValue().getGradient()) {
        double[] g = toDoubles(gradient);
        for (double v : g) {
          squaredNorm += v * v;
        }
        gradients.put(entry.getKey(), g);
        gradient.set(ALL, 0);
      }
    }
    double norm = Math.sqrt(squaredNorm);
    if (!apply || !Double.isFinite(norm)) {
      return apply ? norm : Double.NaN;
    }
    double clip = norm > clipNorm ? clipNorm / norm : 1.0;
    steps++;
    double correction1 = 1 - Math.pow(TrainingConfig.BETA1, steps);
    double correction2 = 1 - Math.pow(TrainingConfig.BETA2, steps);
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      NDArray parameter = entry.getValue();
      double[] g = gradients.get(entry.getKey());
      double[] delta = new double[g.length];
      double[] m = firstMoment.computeIfAbsent(entry.getKey(), k -> new double[g.length]);
      double[] v = secondMoment.computeIfAbsent(entry.getKey(), k -> new double[g.length]);
      for (int i = 0; i < g.length; i++) {
        double gi = g[i] * clip;
        m[i] = TrainingConfig.BETA1 * m[i] + (1 - TrainingConfig.BETA1) * gi;
        v[i] = TrainingConfig.BETA2 * v[i] + (1 - TrainingConfig.BETA2) * gi * gi;
        delta[i] = learningRate * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + TrainingConfig.EPSILON);
      }
      subtractInPlace(parameter, delta);
    }
    return norm;
  }

  private static double[] toDoubles(NDArray array) {
    if (array.getDataType() == DataType.FLOAT64) {
      return array.toDoubleArray();
    }
    float[] f = array.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static void subtractInPlace(NDArray parameter, double[] delta) {
    try (NDManager scratch = parameter.getManager().newSubManager()) {
      NDArray step = scratch.create(delta, parameter.getShape());
      if (parameter.getDataType() != DataType.FLOAT64) {
        step = step.toType(parameter.getDataType(), false);
      }
      parameter.subi(step);
    }
  }
}
