package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The mixture base density: exact values on both paths, exact gradients, sampling, validation. */
public class GaussianMixtureTest {

    /** Three 2-D components with correlated covariances. */
    public static GaussianMixture threeComponents() {
        return new GaussianMixture(new double[] {0.5, 0.3, 0.2},
                new double[][] {{-2, 0}, {2, 1}, {0, 3}},
                new double[][][] {{{0.8, 0}, {0.3, 0.5}}, {{0.4, 0}, {-0.2, 0.9}}, {{1.1, 0}, {0, 0.3}}});
    }

    /** Brute-force density: Σ_k π_k N(z; μ_k, L_k L_kᵀ) with the 2×2 inverse and determinant written out. */
    private static double bruteForce(GaussianMixture m, double[] z) {
        double p = 0;
        for (int k = 0; k < m.components(); k++) {
            double[][] l = m.choleskyFactors()[k];
            double s00 = l[0][0] * l[0][0];
            double s01 = l[1][0] * l[0][0];
            double s11 = l[1][0] * l[1][0] + l[1][1] * l[1][1];
            double det = s00 * s11 - s01 * s01;
            double a = z[0] - m.means()[k][0];
            double b = z[1] - m.means()[k][1];
            double q = (s11 * a * a - 2 * s01 * a * b + s00 * b * b) / det;
            p += m.weights()[k] * Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
        }
        return Math.log(p);
    }

    @Test
    void hostAndGraphLogDensitiesAreTheExactMixtureDensity() {
        GaussianMixture m = threeComponents();
        double[][] z = {{0, 0}, {-2.2, 0.4}, {5, -4}, {1.9, 1.1}};
        double[] host = m.logDensity(z);
        try (NDManager manager = Engine.getInstance().newBaseManager()) {
            double[] graph = m.logDensity(manager.create(z)).toDoubleArray();
            for (int i = 0; i < z.length; i++) {
                assertThat(host[i]).as("host row %d", i).isCloseTo(bruteForce(m, z[i]), within(1e-12));
                assertThat(graph[i]).as("graph row %d", i).isCloseTo(host[i], within(1e-12));
            }
        }
    }

    @Test
    void gradientWithRespectToTheLatentRowMatchesFiniteDifferences() {
        GaussianMixture m = threeComponents();
        double[] z = {0.7, 1.4};
        double[] gradient;
        try (NDManager manager = Engine.getInstance().newBaseManager()) {
            NDArray x = manager.create(new double[][] {z});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray ll = m.logDensity(x).sum();
                collector.backward(ll);
            }
            gradient = x.getGradient().toDoubleArray();
        }
        double h = 1e-6;
        for (int j = 0; j < 2; j++) {
            double[] plus = z.clone();
            double[] minus = z.clone();
            plus[j] += h;
            minus[j] -= h;
            double fd = (m.logDensity(new double[][] {plus})[0] - m.logDensity(new double[][] {minus})[0]) / (2 * h);
            assertThat(gradient[j]).as("d/dz_%d", j).isCloseTo(fd, within(1e-7));
        }
    }

    @Test
    void samplesHaveTheMixturesMean() {
        GaussianMixture m = threeComponents();
        double[][] s = m.sample(200_000, new Random(4));
        double[] mean = new double[2];
        for (double[] row : s) {
            mean[0] += row[0] / s.length;
            mean[1] += row[1] / s.length;
        }
        assertThat(mean[0]).isCloseTo(0.5 * -2 + 0.3 * 2 + 0.2 * 0, within(0.02));
        assertThat(mean[1]).isCloseTo(0.5 * 0 + 0.3 * 1 + 0.2 * 3, within(0.02));
    }

    @Test
    void standardNormalIsRecognizedAndInvalidMixturesAreRefused() {
        assertThat(GaussianMixture.standardNormal(3).isStandardNormal()).isTrue();
        assertThat(threeComponents().isStandardNormal()).isFalse();
        assertThat(GaussianMixture.standardNormal(2).logDensity(new double[][] {{0, 0}})[0])
                .isCloseTo(-Math.log(2 * Math.PI), within(1e-15));
        assertThatThrownBy(() -> new GaussianMixture(new double[] {0.5, 0.4}, new double[][] {{0}, {1}},
                new double[][][] {{{1}}, {{1}}})).hasMessageContaining("sum to 1");
        assertThatThrownBy(() -> new GaussianMixture(new double[] {1}, new double[][] {{0, 0}},
                new double[][][] {{{1, 0.5}, {0, 1}}})).hasMessageContaining("lower-triangular");
    }
}
