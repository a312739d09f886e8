package io.impflow.model.flow;

/**
 * Names of a flow's tensors: {@code block<k>.<mlp>.linear<l>.weight|bias|sn_u|sn_v} and
 * {@code block<k>.<mlp>.act<l>.beta} (effective β) or {@code .b} (trainable, β = softplus(b)).
 */
public final class TensorNames {

    private TensorNames() {
    }

    /** Prefix of linear map l of an MLP in block k. */
    public static String linear(int block, String mlp, int layer) {
        return "block" + block + "." + mlp + ".linear" + layer;
    }

    /** Weight W (out, in) of linear map l. */
    public static String weight(int block, String mlp, int layer) {
        return linear(block, mlp, layer) + ".weight";
    }

    /** Bias (out) of linear map l. */
    public static String bias(int block, String mlp, int layer) {
        return linear(block, mlp, layer) + ".bias";
    }

    /** Effective LipSwish β (one element) after hidden layer l. */
    public static String beta(int block, String mlp, int layer) {
        return "block" + block + "." + mlp + ".act" + layer + ".beta";
    }

    /** Trainable LipSwish parameter b (one element), β = softplus(b). */
    public static String betaParameter(int block, String mlp, int layer) {
        return "block" + block + "." + mlp + ".act" + layer + ".b";
    }

    /** Spectral-norm left vector u (out) of linear map l. */
    public static String spectralU(int block, String mlp, int layer) {
        return linear(block, mlp, layer) + ".sn_u";
    }

    /** Spectral-norm right vector v (in) of linear map l. */
    public static String spectralV(int block, String mlp, int layer) {
        return linear(block, mlp, layer) + ".sn_v";
    }
}
