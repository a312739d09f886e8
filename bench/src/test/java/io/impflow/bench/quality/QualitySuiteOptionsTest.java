package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The suite measures `train`'s defaults: it has no flow-training options of its own. */
class QualitySuiteOptionsTest {

  @Test
  void flowTrainingOptionsAreGoneAndTheFlowsUseTrainsDefaults() {
    for (String removed : new String[] {"--lipschitz", "--flow-steps", "--flow-max-rows"}) {
      assertThatThrownBy(() -> QualitySuite.Options.parse(new String[] {"run", removed, "1"}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option");
    }
    for (String flow : new String[] {"impflow", "resflow"}) {
      FlowMethod method = (FlowMethod) QualitySuite.methods().get(flow);
      assertThat(method.describe()).as(flow).endsWith("c = " + FlowMethod.trainDefault("--lipschitz") + ")");
    }
    assertThat(((FlowMethod) QualitySuite.methods().get("resflow")).spec(9).blocks())
        .isEqualTo(2 * Integer.parseInt(FlowMethod.trainDefault("--blocks")));
  }

  @Test
  void theDefaultMethodsIncludeThePeerDetectorsByTheirTableNames() {
    QualitySuite.Options defaults = QualitySuite.Options.parse(new String[] {"run"});
    assertThat(QualitySuite.selected(defaults)).extracting(DetectionMethod::name).containsExactly("ImpFlow",
        "ResFlow", "RCF (fit, then score)", "RCF (streaming)", "Gaussian (full cov.)", "MCD (robust cov.)",
        "GMM (5 comp.)", "Isolation Forest",
        "k-NN (k=5)", "LOF (k=20)");
    QualitySuite.Options peers = QualitySuite.Options.parse(new String[] {"run", "--methods", "lof,iforest,knn"});
    assertThat(QualitySuite.selected(peers)).extracting(DetectionMethod::name)
        .containsExactly("LOF (k=20)", "Isolation Forest", "k-NN (k=5)");
  }
}
