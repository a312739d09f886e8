package io.impflow.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns Avro records into feature rows: a {@code FeatureVector} (its {@code features} array, names from
 * {@code --feature-names} or {@code x0..x(d-1)}, label from the attribute named by the label column), or a user
 * record (its numeric fields, label from the field named by the label column).
 */
final class RecordRowReader {

  private static final String FEATURE_VECTOR = "io.impflow.schemas.avro.FeatureVector";

  private final boolean featureVector;
  private final List<String> fieldNames;
  private final String labelName;
  private final DataReadOptions options;
  private List<String> featureNames;

  private RecordRowReader(boolean featureVector, List<String> fieldNames, String labelName,
      DataReadOptions options) {
    this.featureVector = featureVector;
    this.fieldNames = fieldNames;
    this.labelName = labelName;
    this.options = options;
    this.featureNames = featureVector ? options.featureNames() : fieldNames;
  }

  /** A reader of records written with {@code schema}; {@code where} names the source in messages. */
  static RecordRowReader forSchema(Schema schema, DataReadOptions options, String where)
      throws DataSourceException {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new DataSourceException(where + ": the Avro schema is a " + schema.getType()
          + ", not a record; write records whose numeric fields are the features");
    }
    if (schema.getFullName().equals(FEATURE_VECTOR)) {
      return new RecordRowReader(true, List.of(), options.labelColumn(), options);
    }
    Schema.Field label = schema.getField(options.labelColumn());
    if (label == null && options.labelColumnRequired()) {
      throw new DataSourceException(where + ": label field '" + options.labelColumn() + "' (from --label-column)"
          + " is not in the record schema " + schema.getFullName() + "; pass the right --label-column");
    }
    List<String> names = new ArrayList<>();
    if (!options.featureNames().isEmpty()) {
      for (String name : options.featureNames()) {
        Schema.Field field = schema.getField(name);
        if (field == null || !isNumeric(field.schema())) {
          throw new DataSourceException(where + ": feature '" + name + "' (from --feature-names) is not a numeric"
              + " field of " + schema.getFullName());
        }
        names.add(name);
      }
    } else {
      for (Schema.Field field : schema.getFields()) {
        if (isNumeric(field.schema()) && !field.name().equals(options.labelColumn())) {
          names.add(field.name());
        }
      }
    }
    if (names.isEmpty()) {
      throw new DataSourceException(where + ": record " + schema.getFullName() + " has no numeric"
          + " (int, long, float, double) fields to use as features");
    }
    return new RecordRowReader(false, List.copyOf(names), label == null ? null : label.name(), options);
  }

  /**
   * Checks that records of another writer schema (a later version on the same topic) hold this reader's features.
   *
   * @throws DataSourceException naming the first feature field the schema lacks or holds as non-numeric
   */
  void requireFeatures(Schema schema, String where) throws DataSourceException {
    if (featureVector) {
      if (!schema.getFullName().equals(FEATURE_VECTOR)) {
        throw new DataSourceException(where + ": a " + schema.getFullName() + " record among FeatureVector records;"
            + " one data set holds one kind of record");
      }
      return;
    }
    for (String name : fieldNames) {
      Schema.Field field = schema.getField(name);
      if (field == null || !isNumeric(field.schema())) {
        throw new DataSourceException(where + ": writer schema " + schema.getFullName() + " has no numeric feature"
            + " field '" + name + "' that the window's oldest writer schema has; name the features every version"
            + " holds with --feature-names");
      }
    }
  }

  private static boolean isNumeric(Schema schema) {
    return switch (schema.getType()) {
      case INT, LONG, FLOAT, DOUBLE -> true;
      default -> false;
    };
  }

  /** Appends the row (and label, when there is one) of {@code record}; {@code where} locates it in messages. */
  void read(GenericRecord record, String where, List<double[]> rows, List<Integer> labels)
      throws DataSourceException {
    double[] row;
    if (featureVector) {
      List<?> values = (List<?>) record.get("features");
      row = new double[values.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = ((Number) values.get(i)).doubleValue();
      }
      if (featureNames.isEmpty()) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
          names.add("x" + i);
        }
        featureNames = List.copyOf(names);
      }
      if (row.length != featureNames.size()) {
        throw new DataSourceException(where + ": " + row.length + " features, but " + featureNames.size()
            + " expected (" + (options.featureNames().isEmpty() ? "as in the first record" : "--feature-names")
            + "); every FeatureVector of one data set must have the same length");
      }
    } else {
      row = new double[fieldNames.size()];
      for (int i = 0; i < row.length; i++) {
        Object value = record.get(fieldNames.get(i));
        row[i] = ((Number) value).doubleValue();
      }
    }
    for (int i = 0; i < row.length; i++) {
      if (!Double.isFinite(row[i])) {
        throw new DataSourceException(where + ", feature '" + featureNames.get(i) + "': " + row[i]
            + " is not a finite number; impute or drop the record");
      }
    }
    rows.add(row);
    Integer label = label(record, where);
    if (label != null) {
      labels.add(label);
    }
  }

  private Integer label(GenericRecord record, String where) throws DataSourceException {
    Object raw;
    if (featureVector) {
      Map<?, ?> attributes = (Map<?, ?>) record.get("attributes");
      raw = null;
      if (attributes != null) {
        for (Map.Entry<?, ?> entry : attributes.entrySet()) {
          if (entry.getKey().toString().equals(labelName)) {
            raw = entry.getValue();
          }
        }
      }
    } else {
      raw = labelName == null ? null : record.get(labelName);
    }
    if (raw == null) {
      return null;
    }
    String text = raw.toString().trim();
    try {
      double value = Double.parseDouble(text);
      if (value == 0.0 || value == 1.0) {
        return (int) value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DataSourceException(where + ": label '" + labelName + "' = '" + text + "' is not 0 or 1");
  }

  /** The dataset of the rows read; labels only when every row had one. */
  Dataset toDataset(List<double[]> rows, List<Integer> labels, String origin) throws DataSourceException {
    int[] labelArray = null;
    if (labels.size() == rows.size()) {
      labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
    } else if (options.labelColumnRequired()) {
      throw new DataSourceException(origin + ": only " + labels.size() + " of " + rows.size() + " records carry the"
          + " label '" + labelName + "' (from --label-column); label every record or drop --label-column");
    }
    return new Dataset(featureNames, rows.toArray(new double[0][]), labelArray, origin);
  }
}
