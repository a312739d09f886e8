package io.impflow.model.scoring;

/**
 * Scores of one batch, aligned with the input rows.
 *
 * <p>{@code logLikelihood[i]} is log p(x_i) in raw feature space for rows with status {@link RowStatus#SCORED}
 * and NaN for every other row. {@code residual[i]} is the largest relative solver residual over the blocks
 * (‖u + g(u) − y‖₂ / max(1, ‖y‖₂); NaN for rows never solved), {@code iterations[i]} the Newton iterations summed
 * over blocks.
 *
 * @param logLikelihood per-row log-likelihood in raw feature space (NaN unless SCORED)
 * @param residual per-row largest relative solver residual over the blocks
 * @param iterations per-row Newton iterations summed over the blocks
 * @param status per-row outcome
 */
public record BatchScores(double[] logLikelihood, double[] residual, int[] iterations, RowStatus[] status) {

    /** Checks that all arrays describe the same number of rows. */
    public BatchScores {
        int n = logLikelihood.length;
        if (residual.length != n || iterations.length != n || status.length != n) {
            throw new IllegalArgumentException("BatchScores arrays must have equal length, got " + n + ", "
                    + residual.length + ", " + iterations.length + ", " + status.length);
        }
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
