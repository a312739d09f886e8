package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Standardization fitting, its inverse and Jacobian, and the typed zero-variance error; spec validation. */
class StandardizationTest {

    @Test
    void fitsMeanAndSampleScale() {
        Standardization s = Standardization.fit(new double[][] {{1, 10}, {3, 10.5}, {5, 9.5}});
        assertThat(s.mean()).containsExactly(3, 10);
        assertThat(s.scale()[0]).isCloseTo(2, within(1e-15));
        assertThat(s.invert(s.apply(new double[] {4, 11}))[1]).isCloseTo(11, within(1e-14));
        assertThat(s.logAbsDetJacobian()).isCloseTo(-Math.log(2) - Math.log(0.5), within(1e-15));
    }

    @Test
    void constantColumnIsReportedByIndex() {
        assertThatThrownBy(() -> Standardization.fit(new double[][] {{1, 7, 2}, {2, 7, 3}}))
                .isInstanceOfSatisfying(ZeroVarianceFeatureException.class, e -> assertThat(e.column()).isEqualTo(1))
                .hasMessageContaining("column 1");
    }

    @Test
    void specRejectsInvalidFieldsByName() {
        assertThatThrownBy(() -> new FlowSpec(Architecture.IMPFLOW, 9, 0, 64, 2, ActivationKind.SIN, 0.9))
                .hasMessageContaining("blocks");
        assertThatThrownBy(() -> new FlowSpec(Architecture.IMPFLOW, 9, 4, 64, 2, ActivationKind.SIN, 1.0))
                .hasMessageContaining("lipschitz");
        assertThatThrownBy(() -> new FlowSpec(Architecture.RESFLOW, 65, 4, 64, 2, ActivationKind.SIN, 0.9))
                .hasMessageContaining("dimension");
    }
}
