package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual MLP g: Linear → act → … → act → Linear on row vectors, with its exact batched Jacobian. Works on any
 * weights: fixed float64 arrays for scoring, or arrays in an autograd graph for training.
 *
 * <p>Row convention: a_1 = u W_1ᵀ + b_1, h_1 = f(a_1), …, g(u) = h_{L−1} W_Lᵀ + b_L. The Jacobian is built
 * transposed, Jᵀ = W_1ᵀ D_1 W_2ᵀ D_2 ⋯ W_Lᵀ, as (n, d, d) from left to right, so every product is one large GEMM
 * of shape (n·d, h) × (h, h').
 */
public final class LipschitzMlp {
    private final List<NDArray> weightsTransposed;
    private final List<NDArray> biases;
    private final List<BoundedActivation> activations;
    /** K[a, i·h₂ + b] = W_1[a, i]·W_2[b, a], shape (h₁, d·h₂), for inference only; null on graph weights. */
    private final NDArray fusedFirstProduct;

    /** The value of g at a batch, with what the Jacobian needs. */
    public record Evaluation(NDArray output, List<NDArray> derivatives) {
    }

    /**
     * @param weights L weight matrices W_l of shape (out, in)
     * @param biases L bias vectors of shape (out)
     * @param activations L − 1 activations, one after each hidden layer
     */
    public LipschitzMlp(List<NDArray> weights, List<NDArray> biases, List<BoundedActivation> activations) {
        if (weights.size() != biases.size() || activations.size() != weights.size() - 1 || weights.size() < 2) {
            throw new IllegalArgumentException("an MLP needs L >= 2 weights, L biases and L - 1 activations, got "
                    + weights.size() + ", " + biases.size() + ", " + activations.size());
        }
        List<NDArray> wt = new ArrayList<>(weights.size());
        for (NDArray w : weights) {
            wt.add(w.transpose());
        }
        this.weightsTransposed = List.copyOf(wt);
        this.biases = List.copyOf(biases);
        this.activations = List.copyOf(activations);
        this.fusedFirstProduct = null;
    }

    private LipschitzMlp(LipschitzMlp graphFree) {
        this.weightsTransposed = graphFree.weightsTransposed;
        this.biases = graphFree.biases;
        this.activations = graphFree.activations;
        NDArray w1 = weightsTransposed.get(0).transpose();
        long h1 = w1.getShape().get(0);
        long d = w1.getShape().get(1);
        long h2 = weightsTransposed.get(1).getShape().get(1);
        this.fusedFirstProduct = w1.expandDims(2).mul(weightsTransposed.get(1).expandDims(1)).reshape(h1, d * h2);
    }

    /**
     * This MLP for scoring without a graph: its Jacobians start with one GEMM against a precomputed constant,
     * (n, h₁)·(h₁, d·h₂), instead of a broadcast product (n, d, h₁) and a GEMM (same multiply-adds, one large
     * temporary array fewer), and scale by later slopes in place. Only for weights that carry no gradient.
     */
    public LipschitzMlp forInference() {
        return fusedFirstProduct != null ? this : new LipschitzMlp(this);
    }

    /** g(u) for a batch u of shape (n, d). */
    public NDArray apply(NDArray u) {
        NDArray h = u;
        int last = weightsTransposed.size() - 1;
        for (int l = 0; l < last; l++) {
            h = activations.get(l).apply(h.matMul(weightsTransposed.get(l)).add(biases.get(l)));
        }
        return h.matMul(weightsTransposed.get(last)).add(biases.get(last));
    }

    /** g(u) and the activation slopes f′(a_l) needed by {@link #transposedJacobian(Evaluation)}. */
    public Evaluation evaluate(NDArray u) {
        NDArray h = u;
        int last = weightsTransposed.size() - 1;
        List<NDArray> slopes = new ArrayList<>(last);
        for (int l = 0; l < last; l++) {
            NDArray[] fd = activations.get(l).applyWithDerivative(h.matMul(weightsTransposed.get(l)).add(biases.get(l)));
            h = fd[0];
            slopes.add(fd[1]);
        }
        return new Evaluation(h.matMul(weightsTransposed.get(last)).add(biases.get(last)), slopes);
    }

    /**
     * Jᵀ(u) with entries [i][j] = ∂g_j/∂u_i, shape (n, d, d).
     *
     * @param evaluation an evaluation of this MLP at u
     * @return the batched transposed Jacobian (on the evaluation's manager)
     */
    public NDArray transposedJacobian(Evaluation evaluation) {
        List<NDArray> slopes = evaluation.derivatives();
        if (fusedFirstProduct != null) {
            // (n, h1)·(h1, d·h2) -> (n, d, h2) = (D_1-scaled W_1ᵀ)·W_2ᵀ per row; slope array first (batch manager).
            NDArray first = slopes.get(0);
            NDArray t = first.matMul(fusedFirstProduct)
                    .reshape(first.getShape().get(0), dimension(), weightsTransposed.get(1).getShape().get(1));
            for (int l = 1; l < weightsTransposed.size(); l++) {
                if (l > 1) {
                    t = t.matMul(weightsTransposed.get(l));
                }
                if (l < slopes.size()) {
                    t.muli(slopes.get(l).expandDims(1));
                }
            }
            return t;
        }
        // (n, 1, h1) * (d, h1) -> (n, d, h1): slope array first so the result lives on the batch's manager.
        NDArray t = slopes.get(0).expandDims(1).mul(weightsTransposed.get(0));
        for (int l = 1; l < weightsTransposed.size(); l++) {
            t = t.matMul(weightsTransposed.get(l));
            if (l < slopes.size()) {
                t = t.mul(slopes.get(l).expandDims(1));
            }
        }
        return t;
    }

    /**
     * The same MLP with weights, biases and activation constants cast to {@code type} (new arrays on the weights'
     * managers, without a graph), e.g. a float32 copy whose Jacobians steer a float64 solve more cheaply.
     */
    public LipschitzMlp toType(DataType type) {
        List<NDArray> weights = new ArrayList<>(weightsTransposed.size());
        for (NDArray wt : weightsTransposed) {
            weights.add(wt.stopGradient().transpose().toType(type, true));
        }
        List<NDArray> castBiases = new ArrayList<>(biases.size());
        for (NDArray b : biases) {
            castBiases.add(b.stopGradient().toType(type, true));
        }
        List<BoundedActivation> castActivations = new ArrayList<>(activations.size());
        for (BoundedActivation a : activations) {
            castActivations.add(a.toType(type));
        }
        LipschitzMlp cast = new LipschitzMlp(weights, castBiases, castActivations);
        return fusedFirstProduct != null ? cast.forInference() : cast;
    }

    /** The dtype of the weights, and so of every result. */
    public DataType dataType() {
        return weightsTransposed.get(0).getDataType();
    }

    /** Input and output width d. */
    public long dimension() {
        return weightsTransposed.get(0).getShape().get(0);
    }
}
