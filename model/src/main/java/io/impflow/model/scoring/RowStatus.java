package io.impflow.model.scoring;

/** Outcome of scoring one row; only {@link #SCORED} rows carry a log-likelihood. */
public enum RowStatus {
    /** The row was scored; every block's solve converged to the tolerance. */
    SCORED,
    /** The row contains NaN or an infinity; it was not scored. */
    NON_FINITE_INPUT,
    /** The row's length differs from the model dimension; it was not scored. */
    DIMENSION_MISMATCH,
    /** A block's Newton solve did not reach the tolerance within the iteration cap; the row was not scored. */
    NOT_CONVERGED
}
