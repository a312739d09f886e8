package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * LipSwish f(u) = u·sigmoid(βu)/1.1 with β &gt; 0; sup |f′| ≤ 1 for every β because sup of the Swish slope is
 * below 1.1.
 */
public final class LipSwish implements BoundedActivation {
    private static final double SWISH_SLOPE_BOUND = 1.1;
    private final NDArray beta;

    /** @param beta positive β as a one-element array (may carry a gradient) */
    public LipSwish(NDArray beta) {
        this.beta = beta;
    }

    @Override
    public NDArray apply(NDArray a) {
        return a.mul(Activation.sigmoid(a.mul(beta))).div(SWISH_SLOPE_BOUND);
    }

    @Override
    public NDArray[] applyWithDerivative(NDArray a) {
        NDArray ba = a.mul(beta);
        NDArray s = Activation.sigmoid(ba);
        NDArray value = a.mul(s).div(SWISH_SLOPE_BOUND);
        // f'(u) = [s + βu·s(1 − s)] / 1.1 = s·(1 + βu·(1 − s)) / 1.1
        NDArray derivative = ba.mul(s.neg().add(1)).add(1).mul(s).div(SWISH_SLOPE_BOUND);
        return new NDArray[] {value, derivative};
    }
}
