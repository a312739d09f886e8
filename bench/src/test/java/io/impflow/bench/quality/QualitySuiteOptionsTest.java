package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QualitySuiteOptionsTest {

  @Test
  void lipschitzDefaultsToTheSuiteConstantAndReachesBothFlows() {
    QualitySuite.Options defaults = QualitySuite.Options.parse(new String[] {"run"});
    assertThat(defaults.lipschitz()).isEqualTo(QualitySuite.LIPSCHITZ);

    QualitySuite.Options options = QualitySuite.Options.parse(new String[] {"run", "--lipschitz", "0.9"});
    assertThat(options.lipschitz()).isEqualTo(0.9);
    for (String flow : new String[] {"impflow", "resflow"}) {
      FlowMethod method = (FlowMethod) QualitySuite.methods(options.budget(), options.lipschitz()).get(flow);
      assertThat(method.describe()).as(flow).endsWith("c = 0.9");
    }
  }

  @Test
  void theDefaultMethodsIncludeThePeerDetectorsByTheirTableNames() {
    QualitySuite.Options defaults = QualitySuite.Options.parse(new String[] {"run"});
    assertThat(QualitySuite.selected(defaults)).extracting(DetectionMethod::name).containsExactly("ImpFlow",
        "ResFlow", "RCF (fit, then score)", "RCF (streaming)", "Gaussian (full cov.)", "Isolation Forest",
        "k-NN (k=5)", "LOF (k=20)");
    QualitySuite.Options peers = QualitySuite.Options.parse(new String[] {"run", "--methods", "lof,iforest,knn"});
    assertThat(QualitySuite.selected(peers)).extracting(DetectionMethod::name)
        .containsExactly("LOF (k=20)", "Isolation Forest", "k-NN (k=5)");
  }

  @Test
  void rejectsALipschitzCoefficientOutsideTheOpenUnitInterval() {
    assertThatThrownBy(() -> QualitySuite.Options.parse(new String[] {"run", "--lipschitz", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--lipschitz");
    assertThatThrownBy(() -> QualitySuite.Options.parse(new String[] {"run", "--lipschitz", "x"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--lipschitz");
  }
}
