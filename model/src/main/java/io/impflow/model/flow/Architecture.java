package io.impflow.model.flow;

/** Which block family a flow is built from. */
public enum Architecture {
    /** Implicit blocks: z + g_z(z) = x + g_x(x), solved per sample. */
    IMPFLOW,
    /** Residual blocks: z = x + g(x), inverted by the solver. */
    RESFLOW
}
