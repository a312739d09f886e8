package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** An elementwise activation with derivative bounded by 1 in absolute value, with its exact derivative. */
public interface BoundedActivation {

    /** f(a), elementwise. */
    NDArray apply(NDArray a);

    /** {f(a), f′(a)}, elementwise, sharing intermediate results. */
    NDArray[] applyWithDerivative(NDArray a);

    /** The same activation with its constants cast to {@code type}, without a graph. */
    BoundedActivation toType(DataType type);
}
