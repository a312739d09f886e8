package io.impflow.demo;

import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.RowPermutation;
import io.impflow.trainer.data.SplitProtocol;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The demo's data: the shuttle CSV split by the clean protocol, the training part (optionally a seeded sample of
 * it, without labels) for the model and the test part (optionally a stratified sample) for the replay.
 *
 * @param train rows the model is trained on, without labels
 * @param test labelled rows the demo replays into {@code events}
 */
public record ShuttleSplit(Dataset train, Dataset test) {

  /**
   * Reads and splits the data set.
   *
   * @param csv the labelled CSV (label column {@code y}, 1 = anomaly)
   * @param seed the split and sampling seed
   * @param trainRows most training rows (0 = the whole training part)
   * @param testRows most test rows, stratified by label (0 = the whole test part)
   * @throws DataSourceException when the CSV cannot be read or has no labels
   */
  public static ShuttleSplit load(Path csv, long seed, int trainRows, int testRows) throws DataSourceException {
    Dataset data = new CsvDataSource(csv, DataReadOptions.defaults()).read();
    SplitProtocol.Split split = SplitProtocol.CLEAN.split(data, seed);
    Dataset train = sample(split.train(), trainRows, seed, "sample of " + trainRows + " rows").withoutLabels();
    Dataset test = stratifiedSample(split.test(), testRows, seed);
    return new ShuttleSplit(train, test);
  }

  private static Dataset sample(Dataset data, int rows, long seed, String what) {
    if (rows <= 0 || rows >= data.size()) {
      return data;
    }
    int[] picked = Arrays.copyOf(RowPermutation.random(data.size(), new SplittableRandom(seed)), rows);
    Arrays.sort(picked);
    return data.select(picked, data.origin() + " (" + what + ", seed " + seed + ")");
  }

  /** A sample with the same share of anomalies as {@code data} (at least one of each class when both exist). */
  static Dataset stratifiedSample(Dataset data, int rows, long seed) {
    if (rows <= 0 || rows >= data.size()) {
      return data;
    }
    int[] normal = IntStream.range(0, data.size()).filter(i -> data.labels()[i] == 0).toArray();
    int[] anomalous = IntStream.range(0, data.size()).filter(i -> data.labels()[i] == 1).toArray();
    int wantAnomalous = (int) Math.round((double) rows * anomalous.length / data.size());
    if (anomalous.length > 0 && normal.length > 0) {
      wantAnomalous = Math.max(1, Math.min(rows - 1, wantAnomalous));
    }
    wantAnomalous = Math.min(wantAnomalous, anomalous.length);
    int wantNormal = Math.min(rows - wantAnomalous, normal.length);
    SplittableRandom random = new SplittableRandom(seed);
    RowPermutation.shuffle(normal, random);
    RowPermutation.shuffle(anomalous, random);
    int[] picked = IntStream.concat(Arrays.stream(normal, 0, wantNormal), Arrays.stream(anomalous, 0, wantAnomalous))
        .sorted().toArray();
    return data.select(picked, data.origin() + " (stratified sample of " + picked.length + " rows, seed " + seed
        + ")");
  }
}
