package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.model.flow.Architecture;
import io.impflow.trainer.fit.TrainingSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo trains through train's settings: its flags override train's defaults and nothing else. */
class DemoTrainingTest {

  private static DemoTraining parsed(String... args) {
    DemoCommand command = new DemoCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return command.settings(Path.of("home")).training();
  }

  @Test
  void theDemosFlagsAtTrainsDefaultsAreTrainsDefaults() {
    TrainingSettings d = TrainingSettings.defaults();

    assertThat(DemoTraining.train(d.architecture(), d.blocks(), d.hidden(), d.seed(), d.targetFpr())).isEqualTo(d);
    assertThat(parsed().settings()).as("no flags: train's defaults").isEqualTo(d);
    assertThat(parsed("--target-fpr", "0.01").settings()).isEqualTo(DemoTraining.train(d.architecture(), d.blocks(),
        d.hidden(), d.seed(), 0.01));
    assertThat(parsed()).isEqualTo(DemoTraining.defaults());
    assertThat(parsed().trainRows()).as("every row of the training part").isZero();
    assertThat(DemoTraining.TRAIN_TARGET_FPR).isEqualTo(0.001);
  }

  @Test
  void eachFlagChangesOnlyItsSetting() {
    DemoTraining training = parsed("--seed", "5", "--split-seed", "3", "--train-rows", "500", "--arch", "resflow",
        "--blocks", "4", "--hidden", "32", "--target-fpr", "0.02");

    assertThat(training.settings()).isEqualTo(DemoTraining.train(Architecture.RESFLOW, 4, 32, 5, 0.02));
    assertThat(training.trainRows()).isEqualTo(500);
    assertThat(training.splitSeed()).isEqualTo(3);
    assertThat(parsed("--replay-seed", "9").settings()).isEqualTo(parsed().settings());
  }

  @Test
  void theTrainCommandLineIsGivenOnlyWhenTrainCanFitTheSameModel() {
    assertThat(parsed().trainCommand())
        .isEqualTo("./impflow train --data datasets/shuttle.csv --split clean --out DIR");
    assertThat(parsed("--target-fpr", "0.02", "--seed", "2", "--split-seed", "4", "--hidden", "32").trainCommand())
        .isEqualTo("./impflow train --data datasets/shuttle.csv --split clean --split-seed 4 --hidden 32 --seed 2"
            + " --target-fpr 0.02 --out DIR");
    assertThat(parsed("--train-rows", "500").trainCommand()).as("a sample").isNull();
    assertThat(new DemoTraining(SmallTraining.settings(Architecture.IMPFLOW, 1, 8, 1, 10, 0.01, 1), 0, 1)
        .trainCommand()).as("settings without a demo flag").isNull();
  }

  @Test
  void badValuesNameTheirFlag() {
    assertThatThrownBy(() -> parsed("--target-fpr", "1")).hasMessageContaining("--target-fpr");
    assertThatThrownBy(() -> parsed("--train-rows", "-1")).hasMessageContaining("--train-rows");
    assertThatThrownBy(() -> parsed("--hidden", "0")).hasMessageContaining("--hidden");
  }
}
