package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.Architecture;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
  private static final TrainingSettings TINY = SmallTraining.settings(Architecture.RESFLOW, 1, 8, 1, 10, 0.05, 3L);

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
  }

  @Test
  void equalSettingsGiveOneKeyAndAChangeInAnyOneSettingGivesAnother() throws Exception {
    TrainingSettings built = SmallTraining.settings(Architecture.RESFLOW, 1, 8, 1, 10, 0.05, 3L);
    assertThat(built).isNotSameAs(TINY).isEqualTo(TINY);
    assertThat(ModelCache.key("abc", ModelCache.canonical(built)))
        .isEqualTo(ModelCache.key("abc", ModelCache.canonical(TINY)));
    assertThat(ModelCache.key("abd", ModelCache.canonical(TINY)))
        .as("other rows").isNotEqualTo(ModelCache.key("abc", ModelCache.canonical(TINY)));

    // Every component of the trainer's record, changed alone, changes the key: a setting added there is covered.
    RecordComponent[] components = TrainingSettings.class.getRecordComponents();
    Constructor<TrainingSettings> canonical = TrainingSettings.class.getDeclaredConstructor(
        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
    Set<String> keys = new HashSet<>(Set.of(ModelCache.key("abc", ModelCache.canonical(TINY))));
    for (int changed = 0; changed < components.length; changed++) {
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        values[i] = components[i].getAccessor().invoke(TINY);
      }
      values[changed] = another(values[changed]);
      TrainingSettings variant = canonical.newInstance(values);
      assertThat(variant).as(components[changed].getName()).isNotEqualTo(TINY);
      assertThat(keys.add(ModelCache.key("abc", ModelCache.canonical(variant))))
          .as("a new key when only " + components[changed].getName() + " changes").isTrue();
    }
    assertThat(keys).hasSize(components.length + 1);
  }

  /** A different valid value of a setting of the given kind. */
  private static Object another(Object value) {
    if (value instanceof Integer i) {
      return i + 1;
    }
    if (value instanceof Long l) {
      return l + 1;
    }
    if (value instanceof Double d) {
      // contamination auto (-1) becomes a fraction; every positive setting halves and stays in range
      return d < 0 ? 0.25 : d / 2;
    }
    if (value instanceof Enum<?> e) {
      // architecture, activation, whitening and the training precision (DJL's DataType)
      Object[] constants = e.getDeclaringClass().getEnumConstants();
      return constants[(e.ordinal() + 1) % constants.length];
    }
    throw new AssertionError("no other value for a setting of type " + value.getClass());
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
