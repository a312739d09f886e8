package io.impflow.demo;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.RowPermutation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the demo writes into {@code events}, in order: the test rows shuffled with a fixed seed, with the malformed
 * records spread among them at seeded positions. Record ids are {@code <run>-<n>} for rows and
 * {@code <run>-bad-<kind>-<k>} for malformed records, so the results of this run can be told from older ones.
 */
public final class ReplayPlan {

  /**
   * One record to write.
   *
   * @param id the record id (also the Kafka key)
   * @param row the feature values (for a malformed record: the row it was built from)
   * @param label 1 = anomaly, 0 = normal, -1 for a malformed record
   * @param malformed the kind of bad record, or {@code null} for a valid row
   */
  public record Entry(String id, double[] row, int label, MalformedKind malformed) {}

  private final List<Entry> entries;
  private final Map<String, Integer> labels;
  private final Map<String, MalformedKind> malformed;
  private final int rows;

  private ReplayPlan(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    Map<String, Integer> labelsById = new HashMap<>();
    Map<String, MalformedKind> malformedById = new HashMap<>();
    int valid = 0;
    for (Entry entry : entries) {
      if (entry.malformed() == null) {
        labelsById.put(entry.id(), entry.label());
        valid++;
      } else {
        malformedById.put(entry.id(), entry.malformed());
      }
    }
    this.labels = Collections.unmodifiableMap(labelsById);
    this.malformed = Collections.unmodifiableMap(malformedById);
    this.rows = valid;
  }

  /**
   * The plan for labelled {@code test} rows.
   *
   * @param runId prefix of every record id
   * @param malformedPerKind bad records per {@link MalformedKind}
   * @param seed seed of the row order and of the positions of the bad records
   */
  public static ReplayPlan of(Dataset test, String runId, int malformedPerKind, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int[] order = RowPermutation.random(test.size(), random);
    List<Entry> entries = new ArrayList<>(test.size() + malformedPerKind * MalformedKind.values().length);
    for (int n = 0; n < order.length; n++) {
      entries.add(new Entry(runId + "-" + n, test.rows()[order[n]], test.labels()[order[n]], null));
    }
    for (MalformedKind kind : MalformedKind.values()) {
      for (int k = 0; k < malformedPerKind; k++) {
        double[] source = test.rows()[random.nextInt(test.size())];
        String id = runId + "-bad-" + kind.name().toLowerCase(Locale.ROOT) + "-" + k;
        entries.add(random.nextInt(entries.size() + 1), new Entry(id, source, -1, kind));
      }
    }
    return new ReplayPlan(entries);
  }

  /** Every record, in the order it is written. */
  public List<Entry> entries() {
    return entries;
  }

  /** Number of records written. */
  public int size() {
    return entries.size();
  }

  /** Number of valid (scorable) rows. */
  public int rows() {
    return rows;
  }

  /** The label of a valid row by id, or {@code null} for an id not in this plan. */
  public Integer label(String id) {
    return labels.get(id);
  }

  /** The kind of a malformed record by id, or {@code null}. */
  public MalformedKind malformedKind(String id) {
    return malformed.get(id);
  }

  /** Number of malformed records expected under each dead-letter reason. */
  public Map<DeadLetterReason, Integer> expectedDeadLetters() {
    Map<DeadLetterReason, Integer> expected =
        new EnumMap<>(DeadLetterReason.class);
    malformed.values().forEach(kind -> expected.merge(kind.expectedReason(), 1, Integer::sum));
    return expected;
  }
}
