package io.impflow.trainer.retrain;

import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.serde.AvroSingleObjectSerializer;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes the {@code ModelUpdate} of a published version to the model-updates topic, idempotently, acks=all. */
final class ModelUpdateAnnouncer {
  private static final long SEND_TIMEOUT_SECONDS = 60;

  private ModelUpdateAnnouncer() {}

  /**
   * Announces {@code publication} and waits for the broker's acknowledgement.
   *
   * @throws IOException if the broker does not acknowledge it
   */
  static void announce(String bootstrapServers, Map<String, String> kafkaProperties, String topic,
      ModelStore.Publication publication, Instant at) throws IOException {
    ModelUpdate update = ModelUpdate.newBuilder().setVersion(publication.version())
        .setUri(publication.uri().toString()).setSha256(publication.manifestSha256())
        .setFeatureNames(publication.featureNames()).setCreatedAt(at).build();
    Properties properties = new Properties();
    properties.putAll(kafkaProperties);
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "impflow-retrain");
    byte[] value = new AvroSingleObjectSerializer<ModelUpdate>(ModelUpdate.class).serialize(topic, update);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, publication.version().getBytes(
          java.nio.charset.StandardCharsets.UTF_8), value)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
      throw new IOException("model " + publication.version() + " was published to " + publication.uri()
          + " but announcing it on topic " + topic + " failed (" + e.getMessage() + "); announce it again or"
          + " restart the job with --model " + publication.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while announcing model " + publication.version(), e);
    }
  }
}
