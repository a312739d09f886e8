package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * LipSwish f(u) = u·sigmoid(βu)/1.1 with β &gt; 0; sup |f′| ≤ 1 for every β because sup of the Swish slope is
 * below 1.1.
 */
public final class LipSwish implements BoundedActivation {
    private static final double SWISH_SLOPE_BOUND = 1.1;
    private final NDArray beta;
    /** 1/1.1 and 1 as arrays on β's device: scalar operands would cost a host-to-native copy per call. */
    private final NDArray inverseBound;
    private final NDArray one;

    /** @param beta positive β as a one-element array (may carry a gradient) */
    public LipSwish(NDArray beta) {
        this.beta = beta;
        NDArray constant = beta.stopGradient();
        this.inverseBound = constant.onesLike().div(SWISH_SLOPE_BOUND);
        this.one = constant.onesLike();
    }

    @Override
    public BoundedActivation toType(DataType type) {
        return new LipSwish(beta.stopGradient().toType(type, true));
    }

    @Override
    public NDArray apply(NDArray a) {
        return a.mul(Activation.sigmoid(a.mul(beta)).mul(inverseBound));
    }

    @Override
    public NDArray[] applyWithDerivative(NDArray a) {
        NDArray ba = a.mul(beta);
        NDArray s = Activation.sigmoid(ba);
        NDArray scaled = s.mul(inverseBound);
        NDArray value = a.mul(scaled);
        // f'(u) = [s + βu·s(1 − s)] / 1.1 = (βu − βu·s + 1)·s / 1.1
        NDArray derivative = ba.sub(ba.mul(s)).add(one).mul(scaled);
        return new NDArray[] {value, derivative};
    }
}
