package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.impflow.model.linalg.LuDecomposition;
import io.impflow.model.nn.LipschitzMlp;

/** log det(I + J_g(u)) per row, from DJL-built Jacobians and a float64 LU in Java. */
final class ResidualLogDet {

    private ResidualLogDet() {
    }

    /** g(u) and log det(I + J_g(u)) per row, from one evaluation of g. */
    static Result of(LipschitzMlp g, NDArray u) {
        try (NDScope scope = new NDScope()) {
            LipschitzMlp.Evaluation e = g.evaluate(u);
            NDArray jt = g.transposedJacobian(e);
            int d = Math.toIntExact(u.getShape().get(1));
            NDArray m = jt.add(u.getManager().eye(d, d, 0, u.getDataType()));
            double[] logDet = LuDecomposition.logDeterminantsOfPositive(m);
            NDScope.unregister(e.output());
            return new Result(e.output(), logDet);
        }
    }

    /** g(u) and the per-row log det(I + J_g(u)). */
    record Result(NDArray g, double[] logDet) {
    }
}
