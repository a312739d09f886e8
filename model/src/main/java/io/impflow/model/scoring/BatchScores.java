package io.impflow.model.scoring;

/**
 * Scores of one batch, aligned with the input rows.
 *
 * <p>{@code logLikelihood[i]} is log p(x_i) in raw feature space for rows with status {@link RowStatus#SCORED}
 * and NaN for every other row. {@code residual[i]} is the largest relative solver residual over the blocks
 * (‖u + g(u) − y‖₂ / max(1, ‖y‖₂); NaN for rows never solved), {@code iterations[i]} the Newton iterations summed
 * over blocks. {@code constantDeparture[i]} is the input position of the first feature that was constant in training
 * and that row i departs from, or −1; such a row is SCORED with log-likelihood −∞ (the model puts all mass of that
 * feature on its training value).
 *
 * @param logLikelihood per-row log-likelihood in raw feature space (NaN unless SCORED)
 * @param residual per-row largest relative solver residual over the blocks
 * @param iterations per-row Newton iterations summed over the blocks
 * @param status per-row outcome
 * @param constantDeparture per-row input position of the first departed constant feature, or −1
 */
public record BatchScores(double[] logLikelihood, double[] residual, int[] iterations, RowStatus[] status,
                          int[] constantDeparture) {

    /** Checks that all arrays describe the same number of rows. */
    public BatchScores {
        int n = logLikelihood.length;
        if (residual.length != n || iterations.length != n || status.length != n || constantDeparture.length != n) {
            throw new IllegalArgumentException("BatchScores arrays must have equal length, got " + n + ", "
                    + residual.length + ", " + iterations.length + ", " + status.length + ", "
                    + constantDeparture.length);
        }
    }

    /** Scores of a model without constant features (no row departs from one). */
    public BatchScores(double[] logLikelihood, double[] residual, int[] iterations, RowStatus[] status) {
        this(logLikelihood, residual, iterations, status, noDepartures(logLikelihood.length));
    }

    private static int[] noDepartures(int n) {
        int[] none = new int[n];
        java.util.Arrays.fill(none, -1);
        return none;
    }

    /** Number of rows. */
    public int size() {
        return logLikelihood.length;
    }

    /** Anomaly score of row i: the negative log-likelihood (NaN unless SCORED). */
    public double score(int i) {
        return -logLikelihood[i];
    }
}
