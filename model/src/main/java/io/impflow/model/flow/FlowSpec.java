package io.impflow.model.flow;

/**
 * The architecture of a flow: block family, sizes, activation and Lipschitz coefficient.
 *
 * <p>Each residual function g is an MLP d → hidden → … → hidden → d with {@code layers} hidden layers, i.e.
 * {@code layers + 1} linear maps, an activation after every hidden layer and none after the last linear map.
 * Example: g = d-64-64-d is {@code hidden = 64, layers = 2}. An ImpFlow block has two such MLPs (g_x, g_z), a ResFlow
 * block one (g).
 *
 * @param architecture IMPFLOW or RESFLOW
 * @param dimension number of features d, 1..64
 * @param blocks number of blocks, ≥ 1
 * @param hidden width of hidden layers, ≥ 1
 * @param layers number of hidden layers, ≥ 1
 * @param activation LIPSWISH or SIN
 * @param lipschitz spectral-normalization coefficient c in (0, 1): every linear map gets σ_max ≤ c
 */
public record FlowSpec(Architecture architecture, int dimension, int blocks, int hidden, int layers,
                       ActivationKind activation, double lipschitz) {

    /** Largest supported dimension: exact Jacobians and LU log-determinants cost O(d³) per row. */
    public static final int MAX_DIMENSION = 64;

    /** Validates every field with a message naming it. */
    public FlowSpec {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture must be IMPFLOW or RESFLOW, got null");
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must be LIPSWISH or SIN, got null");
        }
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("dimension must be in 1.." + MAX_DIMENSION + ", got " + dimension);
        }
        if (blocks < 1) {
            throw new IllegalArgumentException("blocks must be >= 1, got " + blocks);
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("layers must be >= 1, got " + layers);
        }
        if (!(lipschitz > 0 && lipschitz < 1)) {
            throw new IllegalArgumentException("lipschitz coefficient c must be in (0, 1), got " + lipschitz);
        }
    }

    /** The same architecture over {@code newDimension} features (e.g. once constant features are set aside). */
    public FlowSpec withDimension(int newDimension) {
        return new FlowSpec(architecture, newDimension, blocks, hidden, layers, activation, lipschitz);
    }

    /** Names of the residual MLPs of one block: {@code gx, gz} for ImpFlow, {@code g} for ResFlow. */
    public java.util.List<String> mlpNames() {
        return architecture == Architecture.IMPFLOW ? java.util.List.of("gx", "gz") : java.util.List.of("g");
    }

    /** Input width of linear map l (0-based): d for the first, hidden otherwise. */
    public int inputWidth(int linear) {
        return linear == 0 ? dimension : hidden;
    }

    /** Output width of linear map l (0-based): d for the last, hidden otherwise. */
    public int outputWidth(int linear) {
        return linear == layers ? dimension : hidden;
    }
}
