package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.StopSignal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
  private static final TrainingSettings TINY = new TrainingSettings(Architecture.RESFLOW, 1, 8, 1,
      ActivationKind.SIN, 0.9, 1, 64, 1e-3, 1, 0, 0.2, 0.05, 3L);

  @TempDir Path cache;

  private static Dataset gaussian(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] values = new double[rows][];
    for (int i = 0; i < rows; i++) {
      values[i] = new double[] {random.nextGaussian(), 2 * random.nextGaussian() + 1};
    }
    return new Dataset(List.of("a", "b"), values, null, "gaussian " + seed);
  }

  @Test
  void aSecondRequestWithTheSameRowsAndSettingsReusesTheModelAndOtherSettingsTrainAnew() {
    ModelCache models = new ModelCache(cache, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    Dataset rows = gaussian(200, 1);

    TrainedModel first = models.obtain(rows, TINY, false, new StopSignal());
    TrainedModel second = models.obtain(rows, TINY, false, new StopSignal());
    TrainedModel otherRows = models.obtain(gaussian(200, 2), TINY, false, new StopSignal());

    assertThat(first.reused()).isFalse();
    assertThat(first.history()).isNotEmpty();
    assertThat(second.reused()).isTrue();
    assertThat(second.version()).isEqualTo(first.version());
    assertThat(second.directory()).isEqualTo(first.directory());
    assertThat(otherRows.reused()).isFalse();
    assertThat(otherRows.directory()).isNotEqualTo(first.directory());
    assertThat(ModelCache.key("abc", TINY.canonical())).isNotEqualTo(ModelCache.key("abc", TINY.canonical()
        .replace("epochs=1", "epochs=2")));
  }

  @Test
  void aCachedModelThatNoLongerLoadsIsReplaced() throws Exception {
    ModelCache models = new ModelCache(cache, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    Dataset rows = gaussian(200, 1);
    TrainedModel first = models.obtain(rows, TINY, false, new StopSignal());
    Path parameters;
    try (Stream<Path> files = Files.list(first.directory())) {
      parameters = files.filter(f -> f.getFileName().toString().endsWith(".bin")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(parameters);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(parameters, bytes);

    TrainedModel again = models.obtain(rows, TINY, false, new StopSignal());

    assertThat(again.reused()).isFalse();
    assertThat(again.directory()).isEqualTo(first.directory());
    try (Stream<Path> leftovers = Files.list(cache)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".training-"));
    }
  }
}
