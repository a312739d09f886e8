package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.impflow.model.linalg.Cholesky;
import io.impflow.model.train.OwnedTensors;
import java.util.Arrays;
import java.util.Random;

/**
 * The flow's base density: a mixture of K full-covariance Gaussians in latent space,
 * log p(z) = logsumexp_k [log π_k + log N(z; μ_k, L_k L_kᵀ)], exact in value, gradient and sampling. K = 1 with
 * μ = 0 and L = I is the standard normal of a plain flow. Several components let the model hold normal behaviour
 * made of separate clusters, which Lipschitz-bounded blocks can only pull apart slowly.
 *
 * @param weights mixture weights π_k, positive, summing to 1
 * @param means component means μ_k, K rows of length d
 * @param choleskyFactors lower-triangular factors L_k of the component covariances, positive diagonals
 */
public record GaussianMixture(double[] weights, double[][] means, double[][][] choleskyFactors) {
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    /** Validates shapes, weights and factors. */
    public GaussianMixture {
        int k = weights.length;
        if (k == 0 || means.length != k || choleskyFactors.length != k) {
            throw new IllegalArgumentException("a mixture needs K >= 1 weights, means and factors, got " + k + ", "
                    + means.length + ", " + choleskyFactors.length);
        }
        int d = means[0].length;
        double sum = 0;
        double[][] meansCopy = new double[k][];
        double[][][] factorsCopy = new double[k][][];
        for (int c = 0; c < k; c++) {
            if (!(weights[c] > 0) || !Double.isFinite(weights[c])) {
                throw new IllegalArgumentException("mixture weight " + c + " must be > 0, got " + weights[c]);
            }
            sum += weights[c];
            if (means[c].length != d || Arrays.stream(means[c]).anyMatch(v -> !Double.isFinite(v))) {
                throw new IllegalArgumentException("mixture mean " + c + " must hold " + d + " finite values");
            }
            meansCopy[c] = means[c].clone();
            factorsCopy[c] = Cholesky.checkedLowerFactor(choleskyFactors[c], "mixture factor " + c);
            if (factorsCopy[c].length != d) {
                throw new IllegalArgumentException("mixture factor " + c + " must be " + d + " x " + d);
            }
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("mixture weights must sum to 1, got " + sum);
        }
        weights = weights.clone();
        means = meansCopy;
        choleskyFactors = factorsCopy;
    }

    /** The standard normal N(0, I) in d dimensions. */
    public static GaussianMixture standardNormal(int d) {
        double[][] identity = new double[d][d];
        for (int i = 0; i < d; i++) {
            identity[i][i] = 1;
        }
        return new GaussianMixture(new double[] {1}, new double[][] {new double[d]}, new double[][][] {identity});
    }

    /** Number of components K. */
    public int components() {
        return weights.length;
    }

    /** Dimension d. */
    public int dimension() {
        return means[0].length;
    }

    /** Whether this is the standard normal (one component, mean 0, identity covariance); not a manifest field. */
    @JsonIgnore
    public boolean isStandardNormal() {
        if (weights.length != 1) {
            return false;
        }
        int d = dimension();
        for (int i = 0; i < d; i++) {
            if (means[0][i] != 0) {
                return false;
            }
            for (int j = 0; j < d; j++) {
                if (choleskyFactors[0][i][j] != (i == j ? 1 : 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** log π_k − Σ_j log L_k,jj − d/2 log 2π: the component's log-density at its mean. */
    private double[] logNormalizers() {
        int d = dimension();
        double[] c = new double[weights.length];
        for (int k = 0; k < c.length; k++) {
            c[k] = Math.log(weights[k]) - d * HALF_LOG_TWO_PI;
            for (int j = 0; j < d; j++) {
                c[k] -= Math.log(choleskyFactors[k][j][j]);
            }
        }
        return c;
    }

    /** Exact float64 log-density of each row of z (n rows of length d). */
    public double[] logDensity(double[][] z) {
        int d = dimension();
        double[] normalizers = logNormalizers();
        double[] out = new double[z.length];
        double[] terms = new double[weights.length];
        double[] y = new double[d];
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < weights.length; k++) {
                double[][] l = choleskyFactors[k];
                double sq = 0;
                for (int a = 0; a < d; a++) {
                    double sum = z[i][a] - means[k][a];
                    for (int b = 0; b < a; b++) {
                        sum -= l[a][b] * y[b];
                    }
                    y[a] = sum / l[a][a];
                    sq += y[a] * y[a];
                }
                terms[k] = normalizers[k] - 0.5 * sq;
                max = Math.max(max, terms[k]);
            }
            double sum = 0;
            for (double t : terms) {
                sum += Math.exp(t - max);
            }
            out[i] = max + Math.log(sum);
        }
        return out;
    }

    /**
     * Log-density of each row of z as a graph of ordinary ops (for training): exact value, exact gradient with
     * respect to z. Constants are created on z's manager with z's dtype and device.
     *
     * @param z (n, d) latent rows
     * @return (n) log-densities
     */
    public NDArray logDensity(NDArray z) {
        NDManager manager = z.getManager();
        int d = dimension();
        double[] normalizers = logNormalizers();
        NDList terms = new NDList();
        for (int k = 0; k < weights.length; k++) {
            double[][] inverse = Cholesky.invertLower(choleskyFactors[k]);
            double[] transposed = new double[d * d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    transposed[b * d + a] = inverse[a][b];
                }
            }
            NDArray mean = OwnedTensors.of(manager, means[k], new Shape(1, d), z);
            NDArray precisionFactorT = OwnedTensors.of(manager, transposed, new Shape(d, d), z);
            NDArray y = z.sub(mean).matMul(precisionFactorT);
            NDArray half = OwnedTensors.of(manager, new double[] {-0.5}, new Shape(1), z);
            NDArray offset = OwnedTensors.of(manager, new double[] {normalizers[k]}, new Shape(1), z);
            terms.add(y.square().sum(new int[] {1}).mul(half).add(offset));
        }
        if (terms.size() == 1) {
            return terms.get(0);
        }
        NDArray stacked = NDArrays.stack(terms, 1);
        NDArray max = stacked.stopGradient().max(new int[] {1}, true);
        return stacked.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
    }

    /** n seeded samples: a component by its weight, then μ_k + L_k ε with ε standard normal. */
    public double[][] sample(int n, Random random) {
        int d = dimension();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();
            int k = 0;
            double cumulative = weights[0];
            while (u > cumulative && k < weights.length - 1) {
                cumulative += weights[++k];
            }
            double[] eps = new double[d];
            for (int j = 0; j < d; j++) {
                eps[j] = random.nextGaussian();
            }
            for (int a = 0; a < d; a++) {
                double v = means[k][a];
                for (int b = 0; b <= a; b++) {
                    v += choleskyFactors[k][a][b] * eps[b];
                }
                out[i][a] = v;
            }
        }
        return out;
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public double[][] means() {
        return Arrays.stream(means).map(double[]::clone).toArray(double[][]::new);
    }

    @Override
    public double[][][] choleskyFactors() {
        double[][][] copy = new double[choleskyFactors.length][][];
        for (int k = 0; k < copy.length; k++) {
            copy[k] = Arrays.stream(choleskyFactors[k]).map(double[]::clone).toArray(double[][]::new);
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GaussianMixture m && Arrays.equals(m.weights, weights) && Arrays.deepEquals(m.means, means)
                && Arrays.deepEquals(m.choleskyFactors, choleskyFactors);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(weights) + Arrays.deepHashCode(means);
    }

    @Override
    public String toString() {
        return "GaussianMixture[K=" + weights.length + ", d=" + dimension() + "]";
    }
}
