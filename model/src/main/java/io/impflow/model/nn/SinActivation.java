package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;

/** f(u) = sin(2πu)/(2π), f′(u) = cos(2πu). */
public final class SinActivation implements BoundedActivation {
    private static final double TWO_PI = 2 * Math.PI;

    @Override
    public NDArray apply(NDArray a) {
        return a.mul(TWO_PI).sin().div(TWO_PI);
    }

    @Override
    public NDArray[] applyWithDerivative(NDArray a) {
        NDArray angle = a.mul(TWO_PI);
        return new NDArray[] {angle.sin().div(TWO_PI), angle.cos()};
    }
}
