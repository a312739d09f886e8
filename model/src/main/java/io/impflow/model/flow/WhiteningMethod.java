package io.impflow.model.flow;

/** How the input transform's location, scale and whitening are estimated from the training rows. */
public enum WhiteningMethod {
    /**
     * From a robust Gaussian of the rows: reweighted minimum covariance determinant (FastMCD), then the mean and
     * Ledoit–Wolf shrinkage covariance of the rows it keeps, so anomalies in the training rows do not pull the
     * untrained flow's Gaussian towards them.
     */
    ROBUST,
    /** From every row: mean, standard deviation and Ledoit–Wolf shrinkage covariance. */
    SHRINKAGE,
    /** Per-feature standardization by every row's mean and standard deviation, no whitening. */
    NONE;

    /** The flag value, e.g. {@code robust}. */
    public String flag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The method a flag value names, or an {@link IllegalArgumentException} naming the choices. */
    public static WhiteningMethod ofFlag(String value) {
        for (WhiteningMethod m : values()) {
            if (m.flag().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--whitening must be robust, shrinkage or none, got " + value);
    }
}
