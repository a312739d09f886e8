package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * The reader schema for one registry writer schema: a record of the same name holding only the fields the job reads
 * (the feature fields in the model's order, then the id and the event-time field), so that Avro's schema resolution
 * skips every other field of the body instead of building it. The positions of features, id and timestamp are the
 * same for every writer schema, so a caller reads them by position; an absent optional id or timestamp field becomes a null-typed field with a null
 * default, which resolution fills in.
 */
public final class FieldProjection implements Function<Schema, Schema> {
  private static final String DEFAULT_ID = "id";
  private static final String DEFAULT_TIMESTAMP = "timestamp";

  private final List<String> featureFields;
  private final String idField;
  private final boolean idRequired;
  private final String timestampField;
  private final boolean timestampRequired;

  /**
   * A projection onto {@code featureFields} (in the model's order) and the configured id and event-time fields,
   * or {@code id} and {@code timestamp} where present.
   */
  public FieldProjection(List<String> featureFields, Optional<String> idField, Optional<String> timestampField) {
    this.featureFields = List.copyOf(featureFields);
    this.idField = idField.orElse(DEFAULT_ID);
    this.idRequired = idField.isPresent();
    this.timestampField = timestampField.orElse(DEFAULT_TIMESTAMP);
    this.timestampRequired = timestampField.isPresent();
  }

  /** The feature fields, in the model's order: positions 0 to n-1 of every projected record. */
  public List<String> featureFields() {
    return featureFields;
  }

  /** The position of the id field in every projected record (null-valued where the writer has none). */
  public int idPosition() {
    return featureFields.contains(idField) ? featureFields.indexOf(idField) : featureFields.size();
  }

  /** The position of the event-time field in every projected record (null-valued where the writer has none). */
  public int timestampPosition() {
    return featureFields.contains(timestampField) ? featureFields.indexOf(timestampField)
        : featureFields.size() + (featureFields.contains(idField) ? 0 : 1);
  }

  /**
   * The projection of {@code writer}.
   *
   * @throws AvroDecodeException MISSING_FEATURE naming a feature field the writer schema lacks or holds as a
   *     non-numeric type (or a configured id/timestamp field it lacks); every record of that schema gets it
   */
  @Override
  public Schema apply(Schema writer) {
    if (writer.getType() != Schema.Type.RECORD) {
      throw new AvroDecodeException(DeadLetterReason.MISSING_FEATURE, "the writer schema is a " + writer.getType()
          + ", not a record with feature fields");
    }
    List<Schema.Field> fields = new ArrayList<>();
    for (String name : featureFields) {
      Schema.Field field = writer.getField(name);
      if (field == null) {
        throw missing("feature field '" + name + "'", writer);
      }
      if (!isNumeric(field.schema())) {
        throw new AvroDecodeException(DeadLetterReason.MISSING_FEATURE, "feature field '" + name + "' has type "
            + field.schema() + "; features must be int, long, float or double (optionally nullable)");
      }
      fields.add(copy(field));
    }
    addOptional(fields, writer, idField, idRequired, "id field");
    addOptional(fields, writer, timestampField, timestampRequired, "timestamp field");
    return Schema.createRecord(writer.getName(), null, writer.getNamespace(), false, fields);
  }

  /** Whether values of {@code schema} read as a double: int, long, float, double, or one of them or null. */
  public static boolean isNumeric(Schema schema) {
    switch (schema.getType()) {
      case INT:
      case LONG:
      case FLOAT:
      case DOUBLE:
        return true;
      case UNION:
        int numeric = 0;
        for (Schema branch : schema.getTypes()) {
          if (isNumeric(branch)) {
            numeric++;
          } else if (branch.getType() != Schema.Type.NULL) {
            return false;
          }
        }
        return numeric == 1;
      default:
        return false;
    }
  }

  private void addOptional(List<Schema.Field> fields, Schema writer, String name, boolean required, String role) {
    if (featureFields.contains(name)) {
      return;
    }
    Schema.Field field = writer.getField(name);
    if (field != null) {
      fields.add(copy(field));
    } else if (required) {
      throw missing(role + " '" + name + "'", writer);
    } else {
      fields.add(new Schema.Field(name, Schema.create(Schema.Type.NULL), null, JsonProperties.NULL_VALUE));
    }
  }

  private static Schema.Field copy(Schema.Field field) {
    return new Schema.Field(field, field.schema());
  }

  private static AvroDecodeException missing(String what, Schema writer) {
    List<String> names = new ArrayList<>();
    writer.getFields().forEach(f -> names.add(f.name()));
    return new AvroDecodeException(DeadLetterReason.MISSING_FEATURE, "the writer schema has no " + what
        + " (its fields: " + names + "); the model needs it: produce it, or map another field with --feature-fields"
        + " / --id-field / --timestamp-field");
  }
}
