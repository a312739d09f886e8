package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** f(u) = sin(2πu)/(2π), f′(u) = cos(2πu). */
public final class SinActivation implements BoundedActivation {
    private static final double TWO_PI = 2 * Math.PI;
    /** 2π and 1/(2π) as arrays on the weights' device: scalar operands cost a host-to-native copy per call. */
    private final NDArray twoPi;
    private final NDArray inverseTwoPi;

    /** @param like any array on the device and dtype the activation will run on */
    public SinActivation(NDArray like) {
        NDArray ones = like.stopGradient().getManager().ones(new ai.djl.ndarray.types.Shape(1), like.getDataType(),
                like.getDevice());
        this.twoPi = ones.mul(TWO_PI);
        this.inverseTwoPi = ones.div(TWO_PI);
    }

    @Override
    public BoundedActivation toType(DataType type) {
        return new SinActivation(twoPi.toType(type, true));
    }

    @Override
    public NDArray apply(NDArray a) {
        return a.mul(twoPi).sin().mul(inverseTwoPi);
    }

    @Override
    public NDArray[] applyWithDerivative(NDArray a) {
        NDArray angle = a.mul(twoPi);
        return new NDArray[] {angle.sin().mul(inverseTwoPi), angle.cos()};
    }
}
