package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 acceptance 3 (and issue 14 point 8) on a real broker and a real MiniCluster: the job serves a model from
 * the store; an artifact corrupted in the store after publication and an update pointing outside the model root are
 * both refused, the old model keeps serving, the refusal metric counts them, and a good update that follows swaps.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModelStoreSwapIT {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setConfiguration(METRICS.addToConfiguration(new Configuration()))
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @TempDir
  Path dir;

  @Test
  void aCorruptedStoredArtifactAndAnOutOfRootUpdateAreRefusedWhileTheOldModelServes() throws Exception {
    ModelStore store = ModelStore.open(dir.resolve("store").toString());
    ModelStore.Publication serving = store.publish(TestModels.writeCalibratedModel(dir.resolve("a"), 3));
    store.setLatest(serving.version());
    ModelStore.Publication corrupted = store.publish(TestModels.writeCalibratedModel(dir.resolve("b"), 4));
    ModelStore.Publication good = store.publish(TestModels.writeCalibratedModel(dir.resolve("c"), 5));
    Path params = Path.of(corrupted.uri()).resolve("params.bin");
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length / 3] ^= 0x10;
    Files.write(params, bytes);

    KafkaCluster kafka = KAFKA.cluster();
    kafka.createTopics(1, "events", "scores", "alerts", "dead-letters", "model-updates");
    JobConfig config = JobConfig.parse("--model", Path.of(serving.uri()).toString(),
        "--bootstrap-servers", kafka.bootstrapServers(), "--model-updates-topic", "model-updates",
        "--starting-offsets", "earliest", "--checkpoint-interval", "300ms",
        "--group-id", "it-" + UUID.randomUUID(), "--transactional-id-prefix", "it-" + UUID.randomUUID());
    assertThat(config.modelRoots()).containsExactly(dir.resolve("store/versions").toUri().toString());
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.modelUpdates(),
        wiring.scores(), wiring.alerts(), wiring.deadLetters());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.build(env);
    JobClient client = env.executeAsync("impflow model-store IT");

    SingleObjectCodec<FeatureVector> vectors =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    SingleObjectCodec<ScoredEvent> scored =
        SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
    SingleObjectCodec<ModelUpdate> updates = SingleObjectCodec.forSpecific(ModelUpdate.class, SchemaStore.empty());
    Random random = new Random(8);
    List<ScoredEvent> scores = new ArrayList<>();
    long refused;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(kafka.consumerProperties("it-store-reader-" + UUID.randomUUID()))) {
      consumer.subscribe(List.of("scores"));
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      int sent = 0;
      boolean announced = false;
      while (scores.stream().noneMatch(e -> e.getModelVersion().equals(good.version()))) {
        assertThat(System.nanoTime()).as("a score by the good model before the deadline").isLessThan(deadline);
        for (int k = 0; k < 20; k++, sent++) {
          producer.send(new ProducerRecord<>("events", vectors.encode(FeatureVector.newBuilder().setId("w" + sent)
              .setTimestamp(Instant.now()).setFeatures(Arrays.stream(TestModels.normalRow(random)).boxed()
                  .collect(Collectors.toList())).build())));
        }
        producer.flush();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
          scores.add(scored.decode(record.value()));
        }
        if (!announced && scores.size() >= 100) {
          // in order, on one partition: the loader verifies them one after the other
          for (ModelUpdate update : List.of(
              announce(corrupted, corrupted.uri().toString()),
              announce(good, "file:" + dir.resolve("store/versions/../../c/model")),
              announce(good, good.uri().toString()))) {
            producer.send(new ProducerRecord<>("model-updates", updates.encode(update)));
          }
          producer.flush();
          announced = true;
        }
      }
      refused = METRICS.findMetrics(client.getJobID(), "modelUpdatesRefused").values().stream()
          .mapToLong(m -> ((Counter) m).getCount()).sum();
    } finally {
      client.cancel().get();
    }

    assertThat(scores.stream().map(ScoredEvent::getModelVersion).distinct())
        .containsExactly(serving.version(), good.version());
    assertThat(refused).as("refused model updates").isEqualTo(2);
    assertThat(store.latest()).contains(serving.version());
  }

  private static ModelUpdate announce(ModelStore.Publication publication, String uri) {
    return ModelUpdate.newBuilder().setVersion(publication.version()).setUri(uri)
        .setSha256(publication.manifestSha256()).setFeatureNames(publication.featureNames())
        .setCreatedAt(Instant.now()).build();
  }
}
