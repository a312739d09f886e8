package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.impflow.model.linalg.BatchedLu;
import io.impflow.model.nn.LipschitzMlp;
import java.nio.DoubleBuffer;

/** log det(I + J_g(u)) per row, from DJL-built Jacobians and a float64 LU in Java. */
final class ResidualLogDet {

    private ResidualLogDet() {
    }

    /**
     * g(u) and log det(I + J_g(u)) per row, from one evaluation of g. The identity is added while the Jacobians are
     * read from a direct view of their native memory, so no (n, d, d) sum is built natively.
     */
    static Result of(LipschitzMlp g, NDArray u) {
        try (NDScope scope = new NDScope()) {
            LipschitzMlp.Evaluation e = g.evaluate(u);
            NDArray jt = g.transposedJacobian(e);
            int n = Math.toIntExact(u.getShape().get(0));
            int d = Math.toIntExact(u.getShape().get(1));
            DoubleBuffer view = jt.toByteBuffer(true).asDoubleBuffer();
            BatchedLu lu = new BatchedLu(1, d);
            double[] logDet = new double[n];
            for (int i = 0; i < n; i++) {
                lu.loadIdentityPlusTransposed(0, view, i);
                lu.factor(0);
                logDet[i] = lu.logDeterminantIfPositive(0);
            }
            NDScope.unregister(e.output());
            return new Result(e.output(), logDet);
        }
    }

    /** g(u) and the per-row log det(I + J_g(u)). */
    record Result(NDArray g, double[] logDet) {
    }
}
