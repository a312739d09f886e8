package io.impflow.model.flow;

/**
 * A feature that took one value in every training row: the density does not model it, and a row whose value
 * differs has log-likelihood −∞ (a point mass) and is reported with this feature named.
 *
 * @param index position of the feature in the input row (FeatureVector positions do not change)
 * @param name the feature's name
 * @param value the value every training row had
 */
public record ConstantFeature(int index, String name, double value) {

    /** Validates the index and the value. */
    public ConstantFeature {
        if (index < 0) {
            throw new IllegalArgumentException("constant feature index must be >= 0, got " + index);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("constant feature '" + name + "' has a non-finite value " + value);
        }
    }

    /** Whether {@code x} departs from the training value ({@code -0.0} equals {@code 0.0}). */
    public boolean departs(double x) {
        return x != value;
    }
}
