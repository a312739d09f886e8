package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An unreachable registry at start-up is a warning, not a refusal: it may come up after the job. */
class RegistryStartupWarningTest {
  @Test
  void anUnreachableRegistryIsWarnedAboutAndAReachableOneIsNot() {
    try (InProcessSchemaRegistry registry = InProcessSchemaRegistry.running(1)) {
      RegistrySettings settings = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(),
          Duration.ofMinutes(1));
      assertThat(AnomalyDetectionJob.warnIfRegistryUnreachable(settings)).isEmpty();
      registry.stop();
      assertThat(AnomalyDetectionJob.warnIfRegistryUnreachable(settings)).get().asString()
          .contains("not reachable now").contains(registry.url()).contains("starts anyway");
    }
  }
}
