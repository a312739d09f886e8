package io.impflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaProcessCluster;
import io.impflow.testkit.kafka.KafkaSecurity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real broker that speaks only SASL_SSL (SCRAM-SHA-512, TLS from keytool) with the
 * StandardAuthorizer on: with exactly the ACLs of the README it scores every record or dead-letters it, exactly once;
 * a principal without write rights fails with an authorization error naming the topic and writes nothing.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

  private static final String ADMIN = "admin";
  private static final String JOB = "impflow-job";
  private static final String NO_WRITE = "impflow-no-write";
  private static final List<String> OUTPUTS = List.of("scores", "alerts", "dead-letters");
  private static final int RECORDS = 2000;
  /** Every 50th record is not Avro and must be dead-lettered. */
  private static final int MALFORMED_EVERY = 50;

  @TempDir
  static Path dir;
  static Path model;
  static KafkaSecurity security;
  static KafkaProcessCluster kafka;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    model = TestModels.writeCalibratedModel(dir, 3);
    long start = System.nanoTime();
    security = KafkaSecurity.saslSsl(dir.resolve("tls"), ADMIN, JOB, NO_WRITE);
    kafka = KafkaProcessCluster.start(Path.of("target"), security);
    System.out.printf("impflow IT: SASL_SSL broker with TLS material up in %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    kafka.createTopics(2, "events");
    kafka.createTopics(1, OUTPUTS.toArray(String[]::new));
    try (Admin admin = Admin.create(adminProperties())) {
      List<AclBinding> acls = new ArrayList<>(jobAcls(JOB, "job-group", "job-tx"));
      // The same rights as the job, except writing to the output topics.
      acls.add(allow(NO_WRITE, ResourceType.TOPIC, "events", PatternType.LITERAL, AclOperation.READ));
      acls.add(allow(NO_WRITE, ResourceType.GROUP, "no-write-group", PatternType.LITERAL, AclOperation.READ));
      acls.add(allow(NO_WRITE, ResourceType.TRANSACTIONAL_ID, "no-write-tx", PatternType.PREFIXED,
          AclOperation.WRITE));
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    Random random = new Random(7);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < RECORDS; i++) {
        byte[] value = i % MALFORMED_EVERY == 0 ? "not avro".getBytes(StandardCharsets.UTF_8)
            : codec.encode(FeatureVector.newBuilder().setId("e" + i).setTimestamp(Instant.ofEpochMilli(1000))
                .setFeatures(Arrays.stream(TestModels.normalRow(random)).boxed().collect(Collectors.toList()))
                .build());
        producer.send(new ProducerRecord<>("events", ("e" + i).getBytes(StandardCharsets.UTF_8), value));
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

  /**
   * The job principal's ACLs, exactly those the README lists: read the input with its group, write the three
   * outputs, and write (which includes describe) its transactional ids, by prefix.
   */
  static List<AclBinding> jobAcls(String user, String group, String transactionalIdPrefix) {
    List<AclBinding> acls = new ArrayList<>();
    acls.add(allow(user, ResourceType.TOPIC, "events", PatternType.LITERAL, AclOperation.READ));
    acls.add(allow(user, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ));
    for (String topic : OUTPUTS) {
      acls.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
    }
    acls.add(allow(user, ResourceType.TRANSACTIONAL_ID, transactionalIdPrefix, PatternType.PREFIXED,
        AclOperation.WRITE));
    return acls;
  }

  @Test
  @Order(1)
  void theJobsPrincipalScoresOrDeadLettersEveryRecordExactlyOnce() throws Exception {
    JobConfig config = config(JOB, "job-group", "job-tx");
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
        wiring.deadLetters());
    long start = System.nanoTime();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());
    System.out.printf("impflow IT: %d records through the job over SASL_SSL in %.1f s%n", RECORDS,
        (System.nanoTime() - start) / 1e9);

    List<ScoredEvent> scores = readCommitted("scores", ScoredEvent.class);
    List<DeadLetter> deadLetters = readCommitted("dead-letters", DeadLetter.class);
    Map<String, Long> seen = new HashMap<>();
    scores.forEach(score -> seen.merge(score.getId(), 1L, Long::sum));
    deadLetters.forEach(letter -> seen.merge(StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString(),
        1L, Long::sum));
    int malformed = (RECORDS + MALFORMED_EVERY - 1) / MALFORMED_EVERY;
    assertThat(deadLetters).hasSize(malformed);
    assertThat(scores).hasSize(RECORDS - malformed);
    for (int i = 0; i < RECORDS; i++) {
      assertThat(seen.get("e" + i)).as("outputs of record e%d", i).isEqualTo(1L);
    }
  }

  @Test
  @Order(2)
  void aPrincipalWithoutWriteRightsGetsAnAuthorizationErrorAndWritesNothing() throws Exception {
    Map<TopicPartition, Long> before = endOffsets();
    JobConfig config = config(NO_WRITE, "no-write-group", "no-write-tx");
    KafkaWiring wiring = new KafkaWiring(config);
    AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
        wiring.deadLetters());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.build(env);
    // After build: the job's own restart strategy (exponential delay, never giving up) would retry the authorization
    // failure forever; without restarts the first failure ends the job.
    Configuration noRestarts = new Configuration();
    noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    env.configure(noRestarts);
    Throwable failure = catchFailure(() -> env.execute("impflow without write rights"));

    Throwable authorization = failure;
    while (authorization != null && !(authorization instanceof AuthorizationException)) {
      authorization = authorization.getCause();
    }
    assertThat(authorization).as("an AuthorizationException in the cause chain of %s", failure).isNotNull();
    assertThat(authorization.getMessage()).containsAnyOf("scores", "alerts", "dead-letters");
    Writer trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(security.password(NO_WRITE)).doesNotContain(security.password(JOB));
    System.out.println("impflow IT: without write rights: " + authorization);
    assertThat(endOffsets()).as("log end offsets of the outputs, uncommitted records included").isEqualTo(before);
  }

  private static Throwable catchFailure(ThrowingRunnable run) {
    try {
      run.run();
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("the job without write rights finished without an error");
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** The job's flags, its Kafka client settings (the secrets) in a properties file as the README advises. */
  private static JobConfig config(String user, String group, String transactionalIdPrefix) throws Exception {
    Path file = dir.resolve(user + ".properties");
    Properties properties = new Properties();
    properties.putAll(security.clientProperties(user));
    try (Writer out = Files.newBufferedWriter(file)) {
      properties.store(out, "Kafka client settings of " + user);
    }
    return JobConfig.parse(Map.of(), "--model", model.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
        "--kafka-properties-file", file.toString(), "--bounded", "--checkpoint-interval", "500ms", "--group-id",
        group, "--transactional-id-prefix", transactionalIdPrefix);
  }

  private static Properties adminProperties() {
    Properties properties = new Properties();
    properties.putAll(kafka.clientSecurityProperties());
    properties.put("bootstrap.servers", kafka.bootstrapServers());
    return properties;
  }

  private static Map<TopicPartition, Long> endOffsets() throws Exception {
    try (Admin admin = Admin.create(adminProperties())) {
      Map<TopicPartition, OffsetSpec> latest = OUTPUTS.stream().collect(Collectors.toMap(
          topic -> new TopicPartition(topic, 0), topic -> OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  private static <T extends SpecificRecord> List<T> readCommitted(String topic, Class<T> type) {
    SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type, SchemaStore.withGeneratedSchemas());
    List<T> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("it-reader"))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(partition) < end) {
        assertThat(System.nanoTime()).as("reading %s before the deadline", topic).isLessThan(deadline);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(codec.decode(record.value()));
        }
      }
    }
    return records;
  }

  private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern,
      AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
  }
}
