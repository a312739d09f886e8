package io.impflow.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.DensityModel;
import io.impflow.model.store.ModelStore;
import io.impflow.trainer.cli.ImpflowCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code publish}, what a deployment's {@code model-init} runs after training: the artifact becomes a store version
 * that loads from the store, {@code latest} points at it, and {@code --if-no-latest} leaves a serving store alone.
 */
class PublishCommandTest {
  @TempDir
  static Path temp;

  private static Path first;
  private static Path second;

  @BeforeAll
  static void trainTwoSmallModels() {
    first = train(1);
    second = train(2);
  }

  private static Path train(long seed) {
    Path out = temp.resolve("model-" + seed);
    int exit = ImpflowCli.run("train", "--data", "toy:moons", "--rows", "256", "--hidden", "8", "--max-steps", "2",
        "--seed", Long.toString(seed), "--out", out.toString());
    assertThat(exit).as("training the model with seed %d", seed).isZero();
    return out;
  }

  @Test
  void theFirstModelBecomesTheStoresLatestVersionAndLoadsFromThere() throws Exception {
    Path root = temp.resolve("store-first");
    ModelStore store = ModelStore.open(root.toString());
    String output = publish(store, first, true);

    String version = store.latest().orElseThrow();
    try (DensityModel trained = DensityModel.load(first);
         DensityModel stored = DensityModel.load(root.resolve("versions").resolve(version))) {
      assertThat(version).isEqualTo(trained.version());
      assertThat(stored.version()).isEqualTo(version);
      double[][] rows = {{0.5, 0.25}, {-1.0, 2.0}};
      assertThat(stored.score(rows).logLikelihood()).containsExactly(trained.score(rows).logLikelihood());
    }
    assertThat(Files.readString(root.resolve("latest")).trim()).isEqualTo(version);
    assertThat(output).contains("version " + version).contains("latest -> " + version);
  }

  @Test
  void ifNoLatestLeavesAServingStoreAloneAndWithoutItTheNewModelServes() throws Exception {
    Path root = temp.resolve("store-serving");
    ModelStore store = ModelStore.open(root.toString());
    publish(store, first, true);
    String serving = store.latest().orElseThrow();

    String output = publish(store, second, true);
    assertThat(store.latest()).contains(serving);
    assertThat(versions(root)).containsExactly(serving);
    assertThat(output).contains("already serves " + serving);

    publish(store, second, false);
    String newer = store.latest().orElseThrow();
    assertThat(newer).isNotEqualTo(serving);
    assertThat(versions(root)).containsExactlyInAnyOrder(serving, newer);
  }

  private static String publish(ModelStore store, Path model, boolean ifNoLatest) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertThat(PublishCommand.publish(store, model, ifNoLatest, out)).isZero();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static java.util.List<String> versions(Path root) throws Exception {
    try (Stream<Path> entries = Files.list(root.resolve("versions"))) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
    }
  }
}
