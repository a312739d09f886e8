package io.impflow.trainer.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The two evaluation protocols for labelled anomaly data (ARCHITECTURE §7): {@link #CLEAN} trains on 70 % of the
 * normal rows and tests on the other normal rows plus every anomaly; {@link #CONTAMINATED} is a stratified 70/30
 * split of all rows, so the training part keeps its share of anomalies. Both are deterministic in the seed, and
 * each part keeps the rows in their original order.
 */
public enum SplitProtocol {
  /** Train on 70 % of the normal rows; test on the remaining normal rows and all anomalies. */
  CLEAN,
  /** Stratified 70/30 split of all rows (normal and anomalous separately). */
  CONTAMINATED;

  /** Fraction of the (normal, or each class's) rows that go to training. */
  public static final double TRAIN_FRACTION = 0.7;

  /** The two parts of a split. */
  public enum Part {
    /** The training part. */
    TRAIN,
    /** The test part. */
    TEST;

    /** The lower-case name used on the command line. */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A train/test split.
   *
   * @param train the training part
   * @param test the test part
   */
  public record Split(Dataset train, Dataset test) {

    /** The requested part. */
    public Dataset part(Part part) {
      return part == Part.TRAIN ? train : test;
    }
  }

  /** The lower-case name used on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Splits labelled {@code data} with {@code seed}; fails when the data has no labels. */
  public Split split(Dataset data, long seed) throws DataSourceException {
    if (!data.hasLabels()) {
      throw new DataSourceException(data.origin() + " has no label column, so it cannot be split by the "
          + cliName() + " protocol; add a 0/1 label column (or pass --label-column) or drop --split");
    }
    int[] normal = IntStream.range(0, data.size()).filter(i -> data.labels()[i] == 0).toArray();
    int[] anomalous = IntStream.range(0, data.size()).filter(i -> data.labels()[i] == 1).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    RowPermutation.shuffle(normal, random);
    RowPermutation.shuffle(anomalous, random);
    int normalTrain = (int) Math.floor(TRAIN_FRACTION * normal.length);
    int anomalousTrain = this == CLEAN ? 0 : (int) Math.floor(TRAIN_FRACTION * anomalous.length);
    int[] train = concatSorted(Arrays.copyOfRange(normal, 0, normalTrain),
        Arrays.copyOfRange(anomalous, 0, anomalousTrain));
    int[] test = concatSorted(Arrays.copyOfRange(normal, normalTrain, normal.length),
        Arrays.copyOfRange(anomalous, anomalousTrain, anomalous.length));
    String suffix = " (" + cliName() + " split, seed " + seed + ", ";
    return new Split(data.select(train, data.origin() + suffix + "train part)"),
        data.select(test, data.origin() + suffix + "test part)"));
  }

  private static int[] concatSorted(int[] a, int[] b) {
    int[] all = IntStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    Arrays.sort(all);
    return all;
  }
}
