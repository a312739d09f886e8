package io.impflow.testkit.registry;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * Schema-registry framed records written by Apicurio Registry's own Kafka serializer (2.x, in its Confluent-compatible
 * mode: 4-byte content ids in the payload), auto-registering each writer schema under {@code <topic>-value}. Its
 * library is an optional dependency of the testkit: a module using this class declares it (test scope).
 */
public final class ApicurioProducer implements AutoCloseable {
  private final AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>();

  /** A producer registering at the Apicurio v2 API base URL {@code apicurioV2Url}. */
  public ApicurioProducer(String apicurioV2Url) {
    serializer.configure(Map.of(SerdeConfig.REGISTRY_URL, apicurioV2Url, SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
        SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true, SerdeConfig.USE_ID, "contentId",
        SerdeConfig.ENABLE_HEADERS, false), false);
  }

  /** The framed bytes of {@code record} for {@code topic}. */
  public byte[] serialize(String topic, GenericRecord record) {
    return serializer.serialize(topic, record);
  }

  @Override
  public void close() {
    serializer.close();
  }
}
