package io.impflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.linalg.LuDecomposition;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A format-2 model (constant feature set aside, standardization, whitening, flow): its raw-space density is exact
 * (integrates to one over a raw grid; the transform's log-determinant equals a finite-difference Jacobian's), it
 * round-trips through the artifact, and a departure from the constant feature scores −∞ with the feature named.
 */
class WhitenedModelTest {
    @TempDir Path temp;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void rawSpaceDensityIntegratesToOneOverTheVaryingFeatures(boolean mixtureBase) throws Exception {
        try (TrainableFlow flow = RandomFlows.create(Architecture.IMPFLOW, 2, 2, 16, 2, ActivationKind.LIPSWISH,
                0.95, 5)) {
            InputTransform transform = RandomFlows.whitenedWithConstant(2);
            Path dir = RandomFlows.writeArtifact(flow, temp.resolve("m"), null, transform,
                    mixtureBase ? io.impflow.model.flow.GaussianMixtureTest.threeComponents() : null);
            try (DensityModel model = DensityModel.load(dir)) {
                assertThat(model.dimension()).isEqualTo(3);
                assertThat(model.manifest().base().components()).isEqualTo(mixtureBase ? 3 : 1);
                // a raw box that holds the preimage of the flow-input square [-9, 9]^2
                double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE};
                double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE};
                for (double a : new double[] {-10, 10}) {
                    for (double b : new double[] {-10, 10}) {
                        double[] raw = transform.invert(new double[] {a, b});
                        double[] varying = {raw[0], raw[2]};
                        for (int j = 0; j < 2; j++) {
                            lo[j] = Math.min(lo[j], varying[j]);
                            hi[j] = Math.max(hi[j], varying[j]);
                        }
                    }
                }
                int cells = 400;
                double h0 = (hi[0] - lo[0]) / cells;
                double h1 = (hi[1] - lo[1]) / cells;
                double[][] grid = new double[cells * cells][];
                for (int a = 0; a < cells; a++) {
                    for (int b = 0; b < cells; b++) {
                        grid[a * cells + b] = new double[] {lo[0] + (a + 0.5) * h0, 2.5, lo[1] + (b + 0.5) * h1};
                    }
                }
                BatchScores scores = model.score(grid);
                double mass = 0;
                for (int k = 0; k < grid.length; k++) {
                    assertThat(scores.status()[k]).isEqualTo(RowStatus.SCORED);
                    mass += Math.exp(scores.logLikelihood()[k]) * h0 * h1;
                }
                assertThat(mass).isCloseTo(1.0, within(1e-3));
            }
        }
    }

    @Test
    void transformLogDeterminantMatchesFiniteDifferences() {
        InputTransform transform = RandomFlows.whitenedWithConstant(3);
        double[] x = {4.0, 2.5, 19.0, 27.5};
        int[] varying = transform.varyingIndex();
        assertThat(varying).containsExactly(0, 2, 3);
        double h = 1e-6;
        double[] jacobian = new double[9];
        for (int j = 0; j < 3; j++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[varying[j]] += h;
            minus[varying[j]] -= h;
            double[] up = transform.apply(plus);
            double[] down = transform.apply(minus);
            for (int i = 0; i < 3; i++) {
                jacobian[i * 3 + j] = (up[i] - down[i]) / (2 * h);
            }
        }
        assertThat(transform.logAbsDetJacobian())
                .isCloseTo(new LuDecomposition(jacobian, 0, 3).logAbsDeterminant(), within(1e-7));
        double[] back = transform.invert(transform.apply(x));
        for (int j = 0; j < 4; j++) {
            assertThat(back[j]).isCloseTo(x[j], within(1e-10));
        }
    }

    @Test
    void departingFromAConstantFeatureScoresMinusInfinityWithTheFeatureNamed() throws Exception {
        try (TrainableFlow flow = RandomFlows.create(Architecture.RESFLOW, 3, 2, 8, 2, ActivationKind.SIN, 0.9, 6)) {
            Path dir = RandomFlows.writeArtifact(flow, temp.resolve("c"), null, RandomFlows.whitenedWithConstant(3));
            try (DensityModel model = DensityModel.load(dir)) {
                assertThat(model.manifest().formatVersion()).isEqualTo(ModelArtifact.FORMAT_VERSION);
                assertThat(model.featureNames()).containsExactly("f0", "f1", "f2", "f3");
                double[][] rows = {{7, 2.5, 17, 28}, {7, 2.6, 17, 28}, {7, -0.0, 17, 28}, {1e300, 3.0, -1e300, 1e300}};
                BatchScores s = model.score(rows);
                // the last row's varying features are beyond any solve, but its departure alone decides log p = −∞
                assertThat(s.status()).containsOnly(RowStatus.SCORED);
                assertThat(s.logLikelihood()[0]).isFinite();
                assertThat(s.constantDeparture()).containsExactly(-1, 1, 1, 1);
                assertThat(s.logLikelihood()[3]).isEqualTo(Double.NEGATIVE_INFINITY);
                assertThat(s.logLikelihood()[1]).isEqualTo(Double.NEGATIVE_INFINITY);
                double[][] why = model.attribution(java.util.Arrays.copyOf(rows, 3));
                assertThat(why[0][1]).isEqualTo(0.0);
                assertThat(why[1][1]).isEqualTo(Double.NEGATIVE_INFINITY);
                assertThat(why[1][0]).isCloseTo(why[0][0], within(1e-9));
                for (double[] sample : model.sample(20, 3L)) {
                    assertThat(sample).hasSize(4);
                    assertThat(sample[1]).isEqualTo(2.5);
                }
            }
        }
    }
}
