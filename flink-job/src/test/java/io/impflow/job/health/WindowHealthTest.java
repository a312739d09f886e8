package io.impflow.job.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfigException;
import io.impflow.schemas.avro.ModelHealth;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Window merging, the mean, the alert rate and the drift rule, against brute force. */
class WindowHealthTest {
  private static final HealthSettings SETTINGS = new HealthSettings(60_000, 0.1, 500);

  /** One scored record: log-likelihood, p-value, alert. */
  private record Scored(double logLikelihood, double pValue, boolean alert) {}

  private static Scored[] records(int n, Random random) {
    Scored[] records = new Scored[n];
    for (int i = 0; i < n; i++) {
      // Log-likelihoods of very different magnitudes, so that plain summation would lose digits; a few −∞
      // (records departing from a feature constant in training) and, for some, no p-value.
      double ll = i % 97 == 5 ? Double.NEGATIVE_INFINITY
          : (random.nextBoolean() ? 1e9 : 1e-3) * random.nextGaussian() - 20;
      double p = i % 50 == 7 ? Double.NaN : random.nextDouble();
      records[i] = new Scored(ll, p, random.nextDouble() < 0.03);
    }
    return records;
  }

  /** The window's health merged from micro-batches of random sizes, through a random tree of window merges. */
  private static WindowHealth inBatches(Scored[] records, Random random) {
    WindowHealth total = new WindowHealth();
    int from = 0;
    while (from < records.length) {
      int to = Math.min(records.length, from + 1 + random.nextInt(256));
      BatchHealth batch = new BatchHealth("v1", 0.01, 4);
      for (int i = from; i < to; i++) {
        batch.add(records[i].logLikelihood, records[i].pValue, records[i].alert);
      }
      WindowHealth part = new WindowHealth();
      part.add(batch.trimmed());
      if (random.nextBoolean()) {
        total.merge(part);
      } else {
        part.merge(total);
        total = part;
      }
      from = to;
    }
    return total;
  }

  @Test
  void mergedBatchesGiveTheBruteForceCountsMeanAlertRateAndDistance() {
    Random random = new Random(17);
    for (int trial = 0; trial < 20; trial++) {
      Scored[] records = records(1 + random.nextInt(3000), random);
      WindowHealth window = inBatches(records, random);

      long finite = 0;
      long alerts = 0;
      BigDecimal sum = BigDecimal.ZERO;
      PValueHistogram pValues = new PValueHistogram();
      for (Scored r : records) {
        if (Double.isFinite(r.logLikelihood)) {
          finite++;
          sum = sum.add(new BigDecimal(r.logLikelihood));
        }
        alerts += r.alert ? 1 : 0;
        pValues.add(r.pValue);
      }
      double mean = finite == 0 ? Double.NaN : sum.divide(BigDecimal.valueOf(finite), MathContext.DECIMAL128)
          .doubleValue();
      assertThat(window.scored).isEqualTo(records.length);
      assertThat(window.finite).isEqualTo(finite);
      assertThat(window.alerts).isEqualTo(alerts);
      // Compensated summation: the mean is the exact one up to a few ulps of the largest term's scale.
      assertThat(window.meanLogLikelihood()).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-6));
      assertThat(window.alertRate()).isEqualTo((double) alerts / records.length);
      assertThat(window.pValues).isEqualTo(pValues);
      assertThat(window.modelVersion).isEqualTo("v1");
      assertThat(window.targetFpr).isEqualTo(0.01);
    }
  }

  @Test
  void compensatedMeanKeepsTheDigitsPlainSummationLoses() {
    BatchHealth batch = new BatchHealth("v1", 0.01, 4);
    batch.add(1e16, 0.5, false);
    for (int i = 0; i < 1000; i++) {
      batch.add(1.0, 0.5, false);
    }
    batch.add(-1e16, 0.5, false);
    WindowHealth window = new WindowHealth();
    window.add(batch.trimmed());
    // Exact: 1000 / 1002. Plain summation gives 0 (each 1.0 vanishes next to 1e16).
    assertThat(window.meanLogLikelihood()).isEqualTo(1000.0 / 1002);
  }

  @Test
  void theRecordCarriesTheWindowAndTheArithmetic() {
    BatchHealth batch = new BatchHealth("v7", 0.02, 2);
    batch.add(-3.0, 0.25, false);
    batch.add(-5.0, 0.75, false);
    batch.add(Double.NEGATIVE_INFINITY, 0.001, true);
    batch.add(-10.0, 0.01, true);
    WindowHealth window = new WindowHealth();
    window.add(batch.trimmed());
    ModelHealth record = window.toRecord(60_000, 120_000, SETTINGS);

    assertThat(record.getModelVersion()).isEqualTo("v7");
    assertThat(record.getWindowStart()).isEqualTo(Instant.ofEpochMilli(60_000));
    assertThat(record.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(120_000));
    assertThat(record.getScored()).isEqualTo(4);
    assertThat(record.getFinite()).isEqualTo(3);
    assertThat(record.getMeanLogLikelihood()).isEqualTo(-6.0);
    assertThat(record.getAlerts()).isEqualTo(2);
    assertThat(record.getAlertRate()).isEqualTo(0.5);
    assertThat(record.getTargetFpr()).isEqualTo(0.02);
    // p-values 0.001, 0.01, 0.25, 0.75: the exact distance is F(0.25) − 0.25 = 0.5; at the bin edges it is
    // 3/4 of them below the edge 257/1024, one bin width less.
    assertThat(record.getUniformityStatistic()).isEqualTo(0.75 - 257.0 / 1024);
    assertThat(record.getDriftThreshold()).isEqualTo(0.1);
    assertThat(record.getDrift()).as("4 p-values are below the minimum of 500").isFalse();
  }

  @Test
  void aWindowWithoutFiniteScoresOrPValuesHasNaNsAndNeverDrifts() {
    BatchHealth batch = new BatchHealth("v1", Double.NaN, 1);
    for (int i = 0; i < 1000; i++) {
      batch.add(Double.NEGATIVE_INFINITY, Double.NaN, true);
    }
    WindowHealth window = new WindowHealth();
    window.add(batch.trimmed());
    ModelHealth record = window.toRecord(0, 1000, SETTINGS);
    assertThat(record.getMeanLogLikelihood()).isNaN();
    assertThat(record.getUniformityStatistic()).isNaN();
    assertThat(record.getAlertRate()).isEqualTo(1.0);
    assertThat(record.getDrift()).isFalse();
  }

  @Test
  void driftNeedsTheMinimumCountAndADistanceStrictlyAboveTheThreshold() {
    assertThat(SETTINGS.drift(500, 0.11)).isTrue();
    assertThat(SETTINGS.drift(499, 0.99)).as("below the minimum count").isFalse();
    assertThat(SETTINGS.drift(10_000, 0.1)).as("at the threshold").isFalse();
    assertThat(SETTINGS.drift(10_000, Math.nextUp(0.1))).isTrue();
    assertThat(SETTINGS.drift(10_000, Double.NaN)).isFalse();

    // The same rule through the record: 600 p-values all below 0.05 drift, 400 of them do not.
    for (int n : new int[] {400, 600}) {
      BatchHealth batch = new BatchHealth("v1", 0.01, n);
      for (int i = 0; i < n; i++) {
        batch.add(-50.0, 0.05 * i / n, true);
      }
      WindowHealth window = new WindowHealth();
      window.add(batch.trimmed());
      ModelHealth record = window.toRecord(0, 1000, SETTINGS);
      assertThat(record.getUniformityStatistic()).isGreaterThan(0.9);
      assertThat(record.getDrift()).as("%d p-values", n).isEqualTo(n >= 500);
    }
  }

  @Test
  void settingsRefuseValuesThatCannotWorkNamingTheFlag() {
    assertThatThrownBy(() -> new HealthSettings(0, 0.1, 500)).isInstanceOf(JobConfigException.class)
        .hasMessageContaining("--health-window");
    assertThatThrownBy(() -> new HealthSettings(1000, 1.0, 500)).hasMessageContaining("--drift-threshold")
        .hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> new HealthSettings(1000, 0, 500)).hasMessageContaining("--drift-threshold");
    assertThatThrownBy(() -> new HealthSettings(1000, 0.1, 0)).hasMessageContaining("--drift-min-records");
  }
}
