package io.impflow.schemas.serde;

import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/** The Kafka client properties that configure the Avro serdes when Kafka instantiates them by class name. */
public final class KafkaSerdeConfig {
  /** Fully qualified name of the generated record class, e.g. {@code io.impflow.schemas.avro.FeatureVector}. */
  public static final String RECORD_CLASS = "impflow.avro.record.class";

  /** For the plain-binary deserializer: the JSON writer schema, when producers write an older version. */
  public static final String WRITER_SCHEMA = "impflow.avro.writer.schema";

  private KafkaSerdeConfig() {}

  /** The record class named by {@link #RECORD_CLASS}. */
  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> Class<T> recordClass(Map<String, ?> configs) {
    Object value = configs.get(RECORD_CLASS);
    if (value instanceof Class<?> type && SpecificRecord.class.isAssignableFrom(type)) {
      return (Class<T>) type;
    }
    if (!(value instanceof String name) || name.isBlank()) {
      throw new ConfigException(RECORD_CLASS, value, "set it to the generated Avro record class, for example "
          + "io.impflow.schemas.avro.FeatureVector, or construct the serde with the class");
    }
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      return (Class<T>) Class.forName(name.trim(), true,
          loader != null ? loader : KafkaSerdeConfig.class.getClassLoader()).asSubclass(SpecificRecord.class);
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new ConfigException(RECORD_CLASS, value, "not a generated Avro SpecificRecord class on the classpath ("
          + e + ")");
    }
  }

  /** The writer schema given by {@link #WRITER_SCHEMA}, if any. */
  static Optional<Schema> writerSchema(Map<String, ?> configs) {
    Object value = configs.get(WRITER_SCHEMA);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Schema.Parser().parse(value.toString()));
    } catch (SchemaParseException e) {
      throw new ConfigException(WRITER_SCHEMA, value, "not a valid Avro schema: " + e.getMessage());
    }
  }
}
