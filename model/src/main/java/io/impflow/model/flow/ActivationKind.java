package io.impflow.model.flow;

/** The bounded-slope activation used inside every Lipschitz MLP of a flow. */
public enum ActivationKind {
    /** LipSwish u·sigmoid(βu)/1.1 with learnable β = softplus(b), one β per hidden layer. */
    LIPSWISH,
    /** sin(2πu)/(2π). */
    SIN
}
