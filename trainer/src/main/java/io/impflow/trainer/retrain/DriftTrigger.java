package io.impflow.trainer.retrain;

import io.impflow.schemas.avro.ModelHealth;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides which {@code ModelHealth} records start a retrain: one with the drift flag for the version that serves
 * now, and only the first such record per serving version (the job keeps reporting drift until a new model serves;
 * a refused candidate is not retried on every window).
 */
public final class DriftTrigger {
  private final Set<String> handled = new HashSet<>();

  /** Whether {@code health} should start a retrain of {@code servingVersion}; remembers the version if so. */
  public boolean shouldRetrain(ModelHealth health, String servingVersion) {
    return health.getDrift() && health.getModelVersion().equals(servingVersion) && handled.add(servingVersion);
  }
}
