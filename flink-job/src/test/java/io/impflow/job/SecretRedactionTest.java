package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.schemas.kafka.KafkaClientProperties;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.ArchivedExecutionConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka secrets given to the job (a properties file, an environment variable, even the command line) reach the Kafka
 * clients but no place that shows settings: the config's text, the settings logged at start, the Flink web UI's job
 * parameters, and error messages.
 */
class SecretRedactionTest {
  private static final String JAAS_PASSWORD = "jaas-pw-7f3a";
  private static final String TRUSTSTORE_PASSWORD = "truststore-pw-91c2";
  private static final String KEY_PASSWORD = "key-pw-55d0";
  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
      + " username=\"impflow\" password=\"" + JAAS_PASSWORD + "\";";

  @TempDir
  static Path dir;
  static Path model;
  static Path secrets;

  @BeforeAll
  static void writeModelAndSecrets() throws Exception {
    model = TestModels.writeCalibratedModel(dir, 3);
    secrets = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SASL_SSL\n"
        + "sasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n"
        + "ssl.truststore.password=" + TRUSTSTORE_PASSWORD + "\n");
  }

  private static JobConfig config() {
    return JobConfig.parse(Map.of("IMPFLOW_JOB_KAFKA_PROPERTIES_FILE", secrets.toString()), "--model",
        model.toString(), "--kafka-property", "ssl.key.password=" + KEY_PASSWORD, "--kafka-property",
        "client.id=visible-client");
  }

  @Test
  void secretsReachTheKafkaClientsButNotTheConfigsText() throws Exception {
    JobConfig config = config();
    assertThat(config.kafkaProperties()).containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("ssl.truststore.password", TRUSTSTORE_PASSWORD).containsEntry("ssl.key.password", KEY_PASSWORD)
        .containsEntry("security.protocol", "SASL_SSL");
    assertNoSecret(config.toString());
    assertNoSecret(config.settings().toString());
    assertThat(config.settings()).containsEntry("kafka-property.sasl.jaas.config", KafkaClientProperties.REDACTED)
        .containsEntry("kafka-property.security.protocol", "SASL_SSL")
        .containsEntry("kafka-property.client.id", "visible-client");
    // Flink ships the config to the tasks: it must stay serializable.
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(config);
    }
  }

  @Test
  void theWebUisJobParametersShowSettingsWithSecretsRedacted() {
    JobConfig config = config();
    KafkaWiring kafka = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, kafka.source(), kafka.scores(), kafka.alerts(),
        kafka.deadLetters());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.build(env);
    // What the REST API's /jobs/:id/config (the web UI's "Configuration" tab) serves is the archived config.
    ArchivedExecutionConfig archived = env.getConfig().archive();
    Map<String, String> shown = archived.getGlobalJobParameters();
    assertThat(shown).containsEntry("batch-size", "256")
        .containsEntry("kafka-property.ssl.truststore.password", KafkaClientProperties.REDACTED)
        .containsEntry("kafka-property.ssl.key.password", KafkaClientProperties.REDACTED);
    assertNoSecret(shown.toString());
    assertNoSecret(env.getStreamGraph(false).getJobGraph().getJobConfiguration().toString());
  }

  @Test
  void errorMessagesDoNotEchoSecrets() throws Exception {
    String m = model.toString();
    assertThatThrownBy(() -> JobConfig.parse(Map.of(), "--model", m, "--kafka-property", JAAS_PASSWORD))
        .isInstanceOf(JobConfigException.class).hasMessageStartingWith("--kafka-property must be KEY=VALUE")
        .satisfies(e -> assertNoSecret(e.getMessage()));
    Path broken = Files.writeString(dir.resolve("broken.properties"), "sasl.jaas.config=" + JAAS_PASSWORD + "\\u00zz\n");
    assertThatThrownBy(() -> JobConfig.parse(Map.of(), "--model", m, "--kafka-properties-file", broken.toString()))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("broken.properties")
        .satisfies(e -> assertNoSecret(e.getMessage()));
    assertThatThrownBy(() -> JobConfig.parse(Map.of(), "--model", m, "--kafka-property",
        "sasl.jaas.config=" + JAAS_PASSWORD, "--config", dir.resolve("absent.properties").toString()))
        .isInstanceOf(JobConfigException.class).hasMessageStartingWith("--config: cannot read")
        .satisfies(e -> assertNoSecret(e.getMessage()));
  }

  private static void assertNoSecret(String text) {
    assertThat(text).doesNotContain(JAAS_PASSWORD).doesNotContain(TRUSTSTORE_PASSWORD).doesNotContain(KEY_PASSWORD);
  }
}
