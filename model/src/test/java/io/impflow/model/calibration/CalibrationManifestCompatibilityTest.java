package io.impflow.model.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Calibrations in manifests written before the fitted tail existed load and behave exactly as before, and the new
 * fields round-trip through JSON.
 */
class CalibrationManifestCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The calibration object of the committed format-1 golden manifest. */
    private static final Path GOLDEN_MANIFEST = Path.of("src/test/resources/golden/impflow-format1/manifest.json");

    @Test
    void theGoldenManifestsCalibrationLoadsWithTheOldThresholdAndPValues() throws Exception {
        JsonNode stored = JSON.readTree(GOLDEN_MANIFEST.toFile()).get("calibration");
        assertThat(stored.has("tail")).isFalse();
        Calibration c = JSON.treeToValue(stored, Calibration.class);
        assertThat(c.tail()).isNull();
        assertThat(c.tailStatus()).isNull();
        assertThat(c.threshold()).isEqualTo(-9.875);
        // old behaviour: the interpolated table, floored at 1/(n + 1) = 1/9 below the smallest value (−12)
        assertThat(c.pValue(-1e9)).isEqualTo(1.0 / 9);
        assertThat(c.pValue(-12.5)).isEqualTo(1.0 / 9);
        assertThat(c.pValue(-9.75)).isCloseTo((2.0 / 9 + 3.0 / 9) / 2, within(1e-15));
        assertThat(c.pValue(0)).isEqualTo(8.0 / 9);
        assertThat(c.isAnomaly(-9.9)).isTrue();
        assertThat(c.isAnomaly(-9.8)).isFalse();
        // and it serializes as it was stored: no new keys, so re-publishing it hashes the same
        JsonNode written = JSON.valueToTree(c);
        assertThat(written).isEqualTo(stored);
    }

    @Test
    void anOldStyleCalibrationOfManyRowsStaysEmpiricalWhereANewFitWouldUseTheTail() throws Exception {
        double[] ll = new double[2000];
        Random random = new Random(4);
        for (int i = 0; i < ll.length; i++) {
            ll[i] = Math.log(1 - random.nextDouble());
        }
        Calibration fresh = Calibration.fit(ll, 0.001);
        assertThat(fresh.tail()).isNotNull();
        // what the previous build wrote for the same rows: the same table and the empirical threshold, no tail keys
        double oldThreshold = CalibrationTailTest.empiricalQuantile(ll, 0.001);
        ObjectNode old = JSON.valueToTree(fresh);
        old.remove("tail");
        old.remove("tailStatus");
        old.put("threshold", oldThreshold);
        Calibration legacy = JSON.treeToValue(old, Calibration.class);
        assertThat(legacy.tail()).isNull();
        assertThat(legacy.threshold()).isEqualTo(oldThreshold).isNotEqualTo(fresh.threshold());
        double[] levels = legacy.levels();
        double[] values = legacy.values();
        assertThat(legacy.pValue(values[0] - 100)).isEqualTo(1.0 / (ll.length + 1)).isEqualTo(levels[0]);
        assertThat(fresh.pValue(values[0] - 100)).isLessThan(1.0 / (ll.length + 1));
        for (int k = 0; k < values.length; k++) {
            assertThat(legacy.pValue(values[k])).as("table point %d", k).isEqualTo(levelAt(values, levels, k));
        }
        JsonNode written = JSON.valueToTree(legacy);
        assertThat(written).isEqualTo(old);
    }

    /** The table's level at values[k] (the last of equal values, as the interpolation reads ties). */
    private static double levelAt(double[] values, double[] levels, int k) {
        int j = k;
        while (j + 1 < values.length && values[j + 1] == values[k]) {
            j++;
        }
        return levels[j];
    }

    @Test
    void aFittedTailRoundTripsThroughJson() throws Exception {
        double[] ll = new double[1500];
        Random random = new Random(9);
        for (int i = 0; i < ll.length; i++) {
            ll[i] = -3 * Math.abs(random.nextGaussian());
        }
        Calibration c = Calibration.fit(ll, 0.002);
        String json = JSON.writeValueAsString(c);
        assertThat(json).contains("\"tail\":{\"threshold\":").contains("\"tailStatus\":\"FITTED\"");
        Calibration back = JSON.readValue(json, Calibration.class);
        assertThat(back).isEqualTo(c);
        for (double x = -20; x < 0; x += 0.37) {
            assertThat(back.pValue(x)).isEqualTo(c.pValue(x));
        }
        Calibration small = Calibration.fit(new double[] {-3, -2, -1}, 0.1);
        assertThat(JSON.writeValueAsString(small)).contains("\"tailStatus\":\"TOO_FEW_ROWS\"")
                .doesNotContain("\"tail\"");
        assertThat(JSON.readValue(JSON.writeValueAsString(small), Calibration.class)).isEqualTo(small);
    }

    @Test
    void inconsistentTailFieldsAreRefused() throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(GOLDEN_MANIFEST.toFile()).get("calibration");
        node.put("tailStatus", "FITTED");
        assertThatThrownBy(() -> JSON.treeToValue(node, Calibration.class))
                .hasRootCauseMessage("a tail must be present exactly when tailStatus is FITTED, got tail null with"
                        + " tailStatus FITTED");
        node.remove("tailStatus");
        node.putObject("tail").put("threshold", -10).put("share", 0.2).put("scale", 1).put("shape", 0)
                .put("exceedances", 5).put("censored", 3);
        assertThatThrownBy(() -> JSON.treeToValue(node, Calibration.class)).rootCause()
                .hasMessageContaining("tailStatus null");
        node.put("tailStatus", "FITTED");
        assertThat(JSON.treeToValue(node, Calibration.class).pValue(-11)).isCloseTo(0.2 * Math.exp(-1), within(1e-15));
        ((ObjectNode) node.get("tail")).put("shape", 2.0);
        assertThatThrownBy(() -> JSON.treeToValue(node, Calibration.class)).rootCause().hasMessageContaining("shape");
    }
}
