package io.impflow.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.ModelHealth;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code --on-drift}: a drift record for the serving version retrains once per serving version. */
class DriftTriggerTest {
  private static ModelHealth health(String version, boolean drift) {
    return ModelHealth.newBuilder().setModelVersion(version).setWindowStart(Instant.ofEpochMilli(0))
        .setWindowEnd(Instant.ofEpochMilli(60_000)).setScored(1000).setFinite(1000).setMeanLogLikelihood(-3.0)
        .setAlerts(40).setAlertRate(0.04).setTargetFpr(0.01).setUniformityStatistic(drift ? 0.3 : 0.02)
        .setDriftThreshold(0.1).setDrift(drift).build();
  }

  @Test
  void retrainsOncePerServingVersionOnlyOnItsOwnDriftRecords() {
    DriftTrigger trigger = new DriftTrigger();
    assertThat(trigger.shouldRetrain(health("a", false), "a")).isFalse();
    assertThat(trigger.shouldRetrain(health("old", true), "a")).as("drift of another version").isFalse();
    assertThat(trigger.shouldRetrain(health("a", true), "a")).isTrue();
    assertThat(trigger.shouldRetrain(health("a", true), "a")).as("the same version again").isFalse();
    assertThat(trigger.shouldRetrain(health("b", true), "b")).as("after a swap to b").isTrue();
    assertThat(trigger.shouldRetrain(health("b", true), "b")).isFalse();
  }
}
