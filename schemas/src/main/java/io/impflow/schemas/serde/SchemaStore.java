package io.impflow.schemas.serde;

import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Writer schemas by their CRC-64-AVRO fingerprint, so that a single-object message names the schema it was written
 * with; thread-safe and serializable (Flink ships it to its tasks).
 */
public final class SchemaStore implements org.apache.avro.message.SchemaStore, Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();

  private SchemaStore() {}

  /** A store that knows no schemas yet. */
  public static SchemaStore empty() {
    return new SchemaStore();
  }

  /** A store holding the current version of every top-level record schema generated in this module. */
  public static SchemaStore withGeneratedSchemas() {
    SchemaStore store = new SchemaStore();
    for (Schema schema : List.of(FeatureVector.getClassSchema(), ScoredEvent.getClassSchema(),
        Alert.getClassSchema(), DeadLetter.getClassSchema(), ModelUpdate.getClassSchema(),
        ModelHealth.getClassSchema())) {
      store.register(schema);
    }
    return store;
  }

  /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form, as single-object encoding writes it. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /**
   * Registers a writer schema (an older or foreign version of a record) and returns its fingerprint; registering
   * the same schema twice is harmless.
   *
   * @throws IllegalArgumentException if a different schema with the same fingerprint is already registered
   */
  public long register(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    long fingerprint = fingerprint(schema);
    Schema existing = schemas.putIfAbsent(fingerprint, schema);
    if (existing != null && !SchemaNormalization.toParsingForm(existing)
        .equals(SchemaNormalization.toParsingForm(schema))) {
      throw new IllegalArgumentException("fingerprint collision: schema " + schema.getFullName() + " and the "
          + "registered " + existing.getFullName() + " differ but share fingerprint " + hex(fingerprint));
    }
    return fingerprint;
  }

  /** The writer schema registered under this fingerprint, if any. */
  public Optional<Schema> find(long fingerprint) {
    return Optional.ofNullable(schemas.get(fingerprint));
  }

  /** Avro's lookup contract: the schema for the fingerprint, or {@code null} when none is registered. */
  @Override
  public Schema findByFingerprint(long fingerprint) {
    return schemas.get(fingerprint);
  }

  /** A fingerprint as the 16 hex digits people compare in logs, e.g. {@code 0x8c1f2d0a5e9b3c47}. */
  public static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }
}
