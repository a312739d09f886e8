package io.impflow.job.decode;

import io.impflow.job.config.JobConfigException;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.serde.AvroCodec;
import io.impflow.schemas.serde.FieldProjection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Decodes records of the user's own schema, reading the model's features from numeric fields matched by name, and
 * the id and event time from configurable fields.
 */
public final class NamedFieldDecoder implements RecordDecoder {
  /** Null for a reader of projected records, which are decoded elsewhere ({@link FramedInputDecoder}). */
  private final AvroCodec<GenericRecord> codec;
  private final String schemaName;
  private final int[] featurePositions;
  private final String[] featureFields;
  private final int idPosition;
  private final int timestampPosition;

  /**
   * A decoder for records of {@code schema}; fails at start-up, not per record, when the schema cannot supply a
   * feature.
   *
   * @param featureFields the field read for each model feature, in the model's feature order
   * @param idField the id field, or empty to use the field {@code id} if present (else the record's position)
   * @param timestampField the event-time field, or empty to use {@code timestamp} if present (else the Kafka time)
   * @throws JobConfigException naming a field that is absent or not numeric
   */
  public NamedFieldDecoder(AvroCodec<GenericRecord> codec, Schema schema, List<String> featureFields,
      Optional<String> idField, Optional<String> timestampField) {
    this.codec = codec;
    this.schemaName = schema.getFullName();
    if (schema.getType() != Schema.Type.RECORD) {
      throw new JobConfigException("--input-schema must be an Avro record schema, got a " + schema.getType());
    }
    this.featureFields = featureFields.toArray(new String[0]);
    this.featurePositions = new int[featureFields.size()];
    for (int j = 0; j < featurePositions.length; j++) {
      Schema.Field field = requireField(schema, featureFields.get(j), "feature");
      if (!FieldProjection.isNumeric(field.schema())) {
        throw new JobConfigException("--input-schema " + schemaName + ": feature field '" + field.name()
            + "' has type " + field.schema() + "; features must be int, long, float or double (optionally nullable)");
      }
      featurePositions[j] = field.pos();
    }
    this.idPosition = position(schema, idField, "id");
    this.timestampPosition = position(schema, timestampField, "timestamp");
  }

  /**
   * A reader of records projected by {@code projection} (features first, then id and timestamp), whatever their
   * writer schema was; for {@link #fromRecord}, not {@link #decode}.
   */
  NamedFieldDecoder(FieldProjection projection) {
    this.codec = null;
    this.schemaName = "the writer schema";
    this.featureFields = projection.featureFields().toArray(new String[0]);
    this.featurePositions = new int[featureFields.length];
    for (int j = 0; j < featurePositions.length; j++) {
      featurePositions[j] = j;
    }
    this.idPosition = projection.idPosition();
    this.timestampPosition = projection.timestampPosition();
  }

  @Override
  public FeatureRecord decode(RawRecord raw) {
    return fromRecord(codec.decode(raw.value), raw);
  }

  /** The feature record of a decoded record read from {@code raw}. */
  FeatureRecord fromRecord(GenericRecord record, RawRecord raw) {
    String id = idPosition < 0 || record.get(idPosition) == null ? raw.where() : record.get(idPosition).toString();
    double[] row = new double[featurePositions.length];
    for (int j = 0; j < row.length; j++) {
      Object value = record.get(featurePositions[j]);
      if (value == null) {
        throw new RecordRejectedException(DeadLetterReason.MISSING_FEATURE, "record '" + id + "' of "
            + schemaName + " has no value (null) in feature field '" + featureFields[j] + "'");
      }
      row[j] = ((Number) value).doubleValue();
    }
    return new FeatureRecord(id, timestamp(record, raw), row, raw);
  }

  private long timestamp(GenericRecord record, RawRecord raw) {
    Object value = timestampPosition < 0 ? null : record.get(timestampPosition);
    if (value instanceof Instant) {
      return ((Instant) value).toEpochMilli();
    }
    return value instanceof Number ? ((Number) value).longValue() : raw.kafkaTimestamp;
  }

  private int position(Schema schema, Optional<String> configured, String conventional) {
    if (configured.isPresent()) {
      return requireField(schema, configured.get(), conventional).pos();
    }
    Schema.Field field = schema.getField(conventional);
    return field == null ? -1 : field.pos();
  }

  private Schema.Field requireField(Schema schema, String name, String role) {
    Schema.Field field = schema.getField(name);
    if (field == null) {
      List<String> names = new ArrayList<>();
      schema.getFields().forEach(f -> names.add(f.name()));
      throw new JobConfigException("--input-schema " + schemaName + " has no " + role + " field '" + name
          + "' (its fields: " + names + "); rename the field or map it with --feature-fields / --id-field /"
          + " --timestamp-field");
    }
    return field;
  }
}
