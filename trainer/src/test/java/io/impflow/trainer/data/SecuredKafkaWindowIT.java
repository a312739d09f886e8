package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroSingleObjectSerializer;
import io.impflow.testkit.kafka.KafkaProcessCluster;
import io.impflow.testkit.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's Kafka window on a broker that speaks only SASL_SSL with the StandardAuthorizer on: a principal with
 * READ on the topic (no group: the window commits nothing) reads it; a principal without rights and a wrong
 * password get errors that say so, without the password.
 */
class SecuredKafkaWindowIT {
  private static final String ADMIN = "admin";
  private static final String TRAINER = "impflow-trainer";
  private static final String STRANGER = "stranger";
  private static final int RECORDS = 60;

  @TempDir
  static Path dir;
  static KafkaSecurity security;
  static KafkaProcessCluster kafka;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    security = KafkaSecurity.saslSsl(dir.resolve("tls"), ADMIN, TRAINER, STRANGER);
    kafka = KafkaProcessCluster.start(Path.of("target"), security);
    kafka.createTopics(2, "events");
    Properties admin = new Properties();
    admin.putAll(kafka.clientSecurityProperties());
    admin.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "events", PatternType.LITERAL),
          new AccessControlEntry("User:" + TRAINER, "*", AclOperation.READ, AclPermissionType.ALLOW))))
          .all().get(30, TimeUnit.SECONDS);
    }
    AvroSingleObjectSerializer<FeatureVector> serializer = new AvroSingleObjectSerializer<>(FeatureVector.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>("events", null, serializer.serialize("events", FeatureVector.newBuilder()
            .setId("r" + i).setTimestamp(Instant.ofEpochMilli(1000L * i)).setFeatures(List.of((double) i, 3.0 * i))
            .build())));
      }
      producer.flush();
    }
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Dataset read(Map<String, String> clientProperties) throws DataSourceException {
    DataReadOptions options = new DataReadOptions("y", false, List.of("u", "v"), 10, 0L, null, 15_000L,
        clientProperties);
    return DataSource.parse("kafka://" + kafka.bootstrapServers() + "/events", options).read();
  }

  @Test
  void aPrincipalWithReadOnTheTopicReadsTheWholeWindow() throws Exception {
    Dataset data = read(security.clientProperties(TRAINER));
    assertThat(data.size()).isEqualTo(RECORDS);
    for (double[] row : data.rows()) {
      assertThat(row[1]).isEqualTo(3.0 * row[0]);
    }
  }

  @Test
  void aPrincipalWithoutReadRightsIsToldSo() {
    assertThatThrownBy(() -> read(security.clientProperties(STRANGER)))
        .isInstanceOf(DataSourceException.class).hasMessageContaining("events")
        .hasMessageContaining("Not authorized")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(security.password(STRANGER)));
  }

  @Test
  void aWrongPasswordIsAnAuthenticationFailure() {
    assertThatThrownBy(() -> read(security.clientProperties(TRAINER, "wrong-password-1234")))
        .isInstanceOf(DataSourceException.class).hasMessageContaining("uthentication failed")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password-1234"));
  }
}
