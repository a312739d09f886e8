package io.impflow.demo;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.serde.ConfluentEncoder;
import io.impflow.schemas.serde.ConfluentSerializationSchema;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How the demo frames the events it writes, and tells the job and the retrain to read them: Avro single-object
 * encoding (the default), or schema-registry framing against the registry given with {@code --schema-registry-url}
 * or, without one, a registry the demo starts in its own JVM (the testkit's, which serves exactly the calls used).
 */
final class EventFraming implements AutoCloseable {
  private final RegistrySettings registry;
  private final InProcessSchemaRegistry started;
  private final int schemaId;

  private EventFraming(RegistrySettings registry, InProcessSchemaRegistry started, int schemaId) {
    this.registry = registry;
    this.started = started;
    this.schemaId = schemaId;
  }

  /** Single-object encoding. */
  static EventFraming singleObject() {
    return new EventFraming(null, null, -1);
  }

  /**
   * Schema-registry framing: FeatureVector registered under {@code events-value} at {@code url}, or at a registry
   * started here when {@code url} is null.
   *
   * @throws IllegalArgumentException for a URL without http/https scheme
   * @throws io.impflow.schemas.registry.RegistryUnavailableException if the registry does not answer
   */
  static EventFraming confluent(String url) {
    InProcessSchemaRegistry started = url == null ? InProcessSchemaRegistry.running(1) : null;
    try {
      RegistrySettings registry = RegistrySettings.of("--schema-registry-url",
          started == null ? url : started.url(), Map.of(), RegistrySettings.DEFAULT_MAX_WAIT);
      int id = new SchemaRegistryClient(registry).register(ConfluentSerializationSchema.subject(DemoKafka.EVENTS),
          FeatureVector.getClassSchema());
      return new EventFraming(registry, started, id);
    } catch (RuntimeException e) {
      if (started != null) {
        started.close();
      }
      throw e;
    }
  }

  /** A new encoder of events (encoders keep buffers: one per writing thread). */
  Function<FeatureVector, byte[]> encoder() {
    if (registry == null) {
      return SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas())::encode;
    }
    return new ConfluentEncoder<>(FeatureVector.class, schemaId)::encode;
  }

  /** The job flags that read these events. */
  List<String> jobArguments() {
    return registry == null ? List.of() : List.of("--input-encoding", "confluent", "--schema-registry-url",
        String.join(",", registry.urls()));
  }

  /** The registry, for a retrain reading these events; null for single-object encoding. */
  RegistrySettings registry() {
    return registry;
  }

  /** The framing in words, for the console. */
  String describe() {
    return registry == null ? "Avro single-object encoding" : "schema-registry framed (FeatureVector, schema id "
        + schemaId + " under " + ConfluentSerializationSchema.subject(DemoKafka.EVENTS) + " at "
        + String.join(",", registry.urls()) + (started == null ? ")" : ", a registry started in this JVM)");
  }

  @Override
  public void close() {
    if (started != null) {
      started.close();
    }
  }
}
