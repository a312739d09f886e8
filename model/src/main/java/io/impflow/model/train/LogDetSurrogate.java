package io.impflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.linalg.LuDecomposition;

/**
 * ℓ(M) = sg(log det M) + ⟨sg(M⁻ᵀ), M⟩ − sg(⟨M⁻ᵀ, M⟩): its value is log det M exactly (from a float64 LU) and its
 * gradient is tr(M⁻¹ dM) = d log det M, so one backward pass gives the exact log-det gradient.
 */
final class LogDetSurrogate {

    private LogDetSurrogate() {
    }

    /**
     * @param matrices (n, d, d) batch of matrices with positive determinant, in an autograd graph
     * @return (n) surrogate log-determinants on the matrices' manager
     */
    static NDArray of(NDArray matrices) {
        DataType type = matrices.getDataType();
        NDArray constant = matrices.stopGradient();
        double[] logDet = LuDecomposition.logDeterminantsOfPositive(constant.toType(DataType.FLOAT64, false));
        NDArray logDetArray = matrices.getManager().create(logDet).toType(type, false)
                .toDevice(matrices.getDevice(), false);
        NDArray inverseTransposed = constant.inverse().transpose(0, 2, 1);
        NDArray inner = matrices.mul(inverseTransposed).sum(new int[] {1, 2});
        return inner.sub(inner.stopGradient()).add(logDetArray);
    }
}
