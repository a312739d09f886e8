package io.impflow.schemas.serde;

import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.SchemaRegistryClient;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Flink serialization schema writing generated Avro records schema-registry framed ({@link ConfluentFraming}), the
 * record class's schema registered under {@code <topic>-value} (the TopicNameStrategy every Confluent-compatible
 * consumer looks under) when the sink opens.
 *
 * @param <T> the generated record class
 */
public final class ConfluentSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> recordClass;
  private final String subject;
  private final RegistrySettings registry;
  private transient ConfluentEncoder<T> encoder;

  /** A schema writing {@code recordClass} records to {@code topic}. */
  public ConfluentSerializationSchema(Class<T> recordClass, String topic, RegistrySettings registry) {
    this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
    this.subject = subject(topic);
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The subject a topic's value schema is registered under: {@code <topic>-value}. */
  public static String subject(String topic) {
    return Objects.requireNonNull(topic, "topic") + "-value";
  }

  /**
   * Registers the record schema; an unreachable registry fails the sink after the configured wait (Flink then
   * restarts from the checkpoint), since nothing can be written without an id.
   */
  @Override
  public void open(InitializationContext context) {
    int id = new SchemaRegistryClient(registry).register(subject,
        SpecificData.getForClass(recordClass).getSchema(recordClass));
    encoder = new ConfluentEncoder<>(recordClass, id);
  }

  @Override
  public byte[] serialize(T record) {
    if (encoder == null) {
      open(null);
    }
    return encoder.encode(record);
  }
}
