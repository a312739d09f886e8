package io.impflow.trainer.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A table of finite numeric feature rows with their feature names, optional 0/1 labels (1 = anomaly) and a
 * human-readable origin.
 *
 * @param featureNames one name per column, in column order
 * @param rows row-major values, every row as long as {@code featureNames}
 * @param labels one 0/1 label per row, or {@code null} when the source had no label column
 * @param origin where the rows came from, e.g. {@code datasets/shuttle.csv (clean split, train part, seed 1)}
 */
public record Dataset(List<String> featureNames, double[][] rows, int[] labels, String origin) {

  /** Checks shapes. */
  public Dataset {
    featureNames = List.copyOf(featureNames);
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(origin, "origin");
    for (double[] row : rows) {
      if (row.length != featureNames.size()) {
        throw new IllegalArgumentException(
            "row of length " + row.length + " in a dataset with " + featureNames.size() + " features");
      }
    }
    if (labels != null && labels.length != rows.length) {
      throw new IllegalArgumentException(labels.length + " labels for " + rows.length + " rows");
    }
  }

  /** Number of rows. */
  public int size() {
    return rows.length;
  }

  /** Number of features (columns). */
  public int dimension() {
    return featureNames.size();
  }

  /** Whether every row carries a 0/1 label. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** Number of rows labelled 1 (anomalies); 0 without labels. */
  public int anomalyCount() {
    return labels == null ? 0 : (int) Arrays.stream(labels).filter(l -> l == 1).count();
  }

  /** The rows at {@code indices}, in that order, with their labels, under a new origin. */
  public Dataset select(int[] indices, String newOrigin) {
    double[][] picked = new double[indices.length][];
    int[] pickedLabels = labels == null ? null : new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      picked[i] = rows[indices[i]];
      if (pickedLabels != null) {
        pickedLabels[i] = labels[indices[i]];
      }
    }
    return new Dataset(featureNames, picked, pickedLabels, newOrigin);
  }

  /** The same rows without labels (what training sees). */
  public Dataset withoutLabels() {
    return new Dataset(featureNames, rows, null, origin);
  }

  /**
   * SHA-256 (hex) of the content, independent of the file format: the UTF-8 feature names joined by newlines, then
   * every value's IEEE-754 bits in row order, then the labels when present. Two sources holding the same table
   * (a CSV and an Avro file, say) hash alike.
   */
  public String sha256() {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
    digest.update(String.join("\n", featureNames).getBytes(StandardCharsets.UTF_8));
    ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES * Math.max(1, dimension()));
    for (double[] row : rows) {
      buffer.clear();
      for (double v : row) {
        buffer.putLong(Double.doubleToLongBits(v));
      }
      digest.update(buffer.array(), 0, buffer.position());
    }
    if (labels != null) {
      ByteBuffer labelBuffer = ByteBuffer.allocate(Integer.BYTES * labels.length);
      for (int label : labels) {
        labelBuffer.putInt(label);
      }
      digest.update(labelBuffer.array());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
