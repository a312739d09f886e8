package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.model.DensityModel;
import io.impflow.model.flow.Architecture;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's flows are trained by the {@code train} command with its defaults, through an exact CSV round trip. */
class FlowMethodTest {
  @TempDir Path temp;

  @Test
  void readsItsSettingsFromTheTrainCommandsDefaults() {
    FlowMethod impflow = QualitySuite.impflow();
    assertThat(impflow.spec(9).blocks()).isEqualTo(Integer.parseInt(FlowMethod.trainDefault("--blocks")));
    assertThat(impflow.spec(9).hidden()).isEqualTo(Integer.parseInt(FlowMethod.trainDefault("--hidden")));
    assertThat(impflow.trainArguments(7)).containsExactly("--seed", "7", "--arch", "impflow", "--blocks",
        FlowMethod.trainDefault("--blocks"), "--device", "cpu");
    assertThat(FlowMethod.defaultsDescription()).contains("whitening " + FlowMethod.trainDefault("--whitening"));
    assertThatThrownBy(() -> FlowMethod.trainDefault("--no-such-flag")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void trainingDataReachesTheCommandBitForBit() throws Exception {
    Dataset train = SuiteRunnerTest.labelled().withoutLabels();
    Path csv = temp.resolve("train.csv");
    FlowMethod.writeCsv(train, csv);
    Dataset back = new CsvDataSource(csv, DataReadOptions.defaults()).read();
    assertThat(back.featureNames()).isEqualTo(train.featureNames());
    assertThat(back.rows()).isDeepEqualTo(train.rows());
  }

  @Test
  void trainsThroughTheCommandWithItsArguments() throws Exception {
    SplitProtocol.Split split = SplitProtocol.CLEAN.split(SuiteRunnerTest.labelled(), 1);
    FlowMethod resflow = new FlowMethod("ResFlow", Architecture.RESFLOW, 1);
    Path model = temp.resolve("model");
    resflow.train(split.train().withoutLabels(), 3, model, "--max-steps", "2", "--hidden", "8");
    try (DensityModel loaded = DensityModel.load(model)) {
      assertThat(loaded.manifest().provenance().get("seed")).isEqualTo(3);
      assertThat(loaded.manifest().whitening()).isNotNull();
    }
  }

  @Test
  void reportsPrecisionRecallAndFalsePositiveRateAtTheThreshold() {
    boolean[] flagged = {true, true, false, true, false, false};
    int[] labels = {1, 0, 1, 1, 0, 0};
    assertThat(FlowMethod.atThreshold(flagged, labels, 0.001))
        .isEqualTo("at the default threshold (target FPR 0.001): precision 0.667, recall 0.667, FPR 0.3333");
  }
}
