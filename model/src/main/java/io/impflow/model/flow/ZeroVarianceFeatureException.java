package io.impflow.model.flow;

/** Thrown when a feature column is constant in the data a standardization is fitted on. */
public final class ZeroVarianceFeatureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int column;

    /**
     * @param column 0-based index of the constant column
     * @param value the value every row has in that column
     */
    public ZeroVarianceFeatureException(int column, double value) {
        super("feature column " + column + " has zero variance (every row is " + value
                + "); drop the feature or provide data where it varies");
        this.column = column;
    }

    /** The 0-based index of the constant column, so a caller can name the feature. */
    public int column() {
        return column;
    }
}
