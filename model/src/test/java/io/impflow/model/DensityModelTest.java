package io.impflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.Standardization;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring facade: per-row rejection, raw-space log-likelihood, and finite-difference attributions. */
class DensityModelTest {
    @TempDir
    static Path temp;
    private static TrainableFlow flow;
    private static DensityModel model;

    @BeforeAll
    static void load() throws Exception {
        flow = RandomFlows.create(Architecture.IMPFLOW, 3, 2, 8, 2, ActivationKind.SIN, 0.9, 61);
        model = DensityModel.load(RandomFlows.writeArtifact(flow, temp.resolve("model"), null));
    }

    @AfterAll
    static void close() {
        model.close();
        flow.close();
    }

    @Test
    void badRowsAreRejectedPerRowAndTheRestScored() {
        double[][] rows = {
            {7.0, 17.0, 27.0},
            {Double.NaN, 17.0, 27.0},
            {7.0, 17.0},
            null,
            {7.0, Double.POSITIVE_INFINITY, 27.0},
            {1e300, -1e300, 1e300},
            {8.0, 15.0, 29.0}
        };
        BatchScores s = model.score(rows);
        assertThat(s.status()).containsExactly(RowStatus.SCORED, RowStatus.NON_FINITE_INPUT,
                RowStatus.DIMENSION_MISMATCH, RowStatus.DIMENSION_MISMATCH, RowStatus.NON_FINITE_INPUT,
                RowStatus.NOT_CONVERGED, RowStatus.SCORED);
        for (int i = 1; i <= 5; i++) {
            assertThat(s.logLikelihood()[i]).as("row %d", i).isNaN();
        }
        assertThat(s.logLikelihood()[0]).isFinite();
        assertThat(s.logLikelihood()[6]).isFinite();
        assertThat(s.residual()[0]).isLessThanOrEqualTo(1e-10);
        assertThat(s.score(0)).isEqualTo(-s.logLikelihood()[0]);
        // A good row scores the same alone as in a batch with bad rows: solver decisions are per row.
        assertThat(model.score(new double[][] {rows[6]}).logLikelihood()[0])
                .isCloseTo(s.logLikelihood()[6], within(1e-12 * Math.abs(s.logLikelihood()[6])));
        assertThat(model.score(new double[0][]).size()).isZero();
    }

    @Test
    void logLikelihoodIsInRawFeatureSpace() {
        double[] row = {7.3, 18.0, 25.0};
        Standardization standardization = model.manifest().standardization();
        double standardizedLl = flow.exactLogLikelihood(new double[][] {standardization.apply(row)})[0];
        double expected = standardizedLl - Math.log(0.5) - Math.log(1.25) - Math.log(2.0);
        assertThat(model.score(new double[][] {row}).logLikelihood()[0]).isCloseTo(expected, within(1e-9));
    }

    @Test
    void attributionIsTheGradientWithRespectToStandardizedFeatures() {
        double[] row = {7.3, 18.0, 25.0};
        double[] attribution = model.attribution(row);
        double[] u = model.manifest().standardization().apply(row);
        double[] autograd;
        try (NDManager manager = Engine.getInstance().newBaseManager()) {
            NDArray x = manager.create(new double[][] {u});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(flow.logLikelihood(x).sum());
            }
            autograd = x.getGradient().toDoubleArray();
        }
        for (int j = 0; j < 3; j++) {
            assertThat(attribution[j]).as("feature %d", j).isCloseTo(autograd[j], within(1e-6 * Math.max(1, Math.abs(autograd[j]))));
        }
        assertThatThrownBy(() -> model.attribution(new double[] {1, 2})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length 3");
    }

    @Test
    void batchedAttributionMatchesRowByRowAndMarksRowsWhoseProbesDoNotConverge() {
        double[][] rows = {{7.3, 18.0, 25.0}, {6.0, 21.5, 24.0}, {1e300, 18.0, 25.0}, {8.1, 17.2, 26.3}};
        double[][] batched = model.attribution(rows);
        assertThat(batched).hasNumberOfRows(4);
        for (int i : new int[] {0, 1, 3}) {
            double[] single = model.attribution(rows[i]);
            for (int j = 0; j < 3; j++) {
                // Same probes, other batch mates: per-row solver decisions make the log p's agree to rounding, and
                // the central difference over 2e-5 divides that rounding by 2e-5.
                assertThat(batched[i][j]).as("row %d feature %d", i, j)
                        .isCloseTo(single[j], within(1e-8 * Math.max(1, Math.abs(single[j]))));
            }
        }
        assertThat(batched[2]).as("a row far outside the data: its probes do not converge").isNull();
        assertThatThrownBy(() -> model.attribution(rows[2])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did not converge");
        assertThat(model.attribution(new double[0][])).isEmpty();
        assertThatThrownBy(() -> model.attribution(new double[][] {rows[0], {1, Double.NaN, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1");
    }

    @Test
    void samplingIsSeededAndInRawSpace() {
        double[][] a = model.sample(50, 5);
        double[][] b = model.sample(50, 5);
        assertThat(a).isDeepEqualTo(b);
        double mean2 = 0;
        for (double[] r : a) {
            mean2 += r[2] / a.length;
        }
        assertThat(mean2).isBetween(20.0, 34.0);
        assertThat(model.sample(0, 1)).isEmpty();
    }
}
