package io.impflow.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
  @TempDir
  Path model;

  @Test
  void defaultsMatchTheDocumentedOnes() {
    JobConfig config = JobConfig.parse("--model", model.toString());
    assertThat(config.modelPath()).isEqualTo(model);
    assertThat(config.inputTopic()).isEqualTo("events");
    assertThat(config.scoresTopic()).isEqualTo("scores");
    assertThat(config.alertsTopic()).isEqualTo("alerts");
    assertThat(config.deadLettersTopic()).isEqualTo("dead-letters");
    assertThat(config.batchSize()).isEqualTo(256);
    assertThat(config.batchTimeoutMillis()).isEqualTo(10);
    assertThat(config.checkpointIntervalMillis()).isEqualTo(10_000);
    assertThat(config.transactionTimeoutMillis()).isEqualTo(600_000);
    assertThat(config.inputEncoding()).isEqualTo(InputEncoding.SINGLE_OBJECT);
    assertThat(config.startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
    assertThat(config.threshold()).isEmpty();
    assertThat(config.inputSchemaJson()).isEmpty();
    assertThat(config.bounded()).isFalse();
    assertThat(config.modelHealthTopic()).isEqualTo("model-health");
    assertThat(config.health().windowMillis()).isEqualTo(60_000);
    assertThat(config.health().driftThreshold()).isEqualTo(0.1);
    assertThat(config.health().minRecords()).isEqualTo(500);
    assertThat(config.metricsPort()).isEmpty();
  }

  @Test
  void parsesTheHealthAndMetricsFlagsAndRefusesBadOnesNamingTheFlag() {
    JobConfig config = JobConfig.parse("--model", model.toString(), "--model-health-topic", "health",
        "--health-window", "2s", "--drift-threshold", "0.25", "--drift-min-records", "50", "--metrics-port", "9249");
    assertThat(config.modelHealthTopic()).isEqualTo("health");
    assertThat(config.health().windowMillis()).isEqualTo(2000);
    assertThat(config.health().driftThreshold()).isEqualTo(0.25);
    assertThat(config.health().minRecords()).isEqualTo(50);
    assertThat(config.metricsPort()).hasValue(9249);

    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--health-window", "0s"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--health-window");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--drift-threshold", "2"))
        .hasMessageContaining("--drift-threshold").hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--drift-threshold", "x"))
        .hasMessageContaining("--drift-threshold must be a number");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--drift-min-records", "0"))
        .hasMessageContaining("--drift-min-records must be ≥ 1");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--metrics-port", "70000"))
        .hasMessageContaining("--metrics-port must be ≤ 65535");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--metrics-port", "8081"))
        .hasMessageContaining("--metrics-port and --web-port must differ");
  }

  @Test
  void parsesEveryKindOfValue() throws Exception {
    Path schema = Files.writeString(model.resolve("in.avsc"), "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}");
    JobConfig config = JobConfig.parse("--model", model.toString(), "--batch-size", "32", "--batch-timeout=250",
        "--checkpoint-interval", "2s", "--transaction-timeout", "15min", "--threshold", "-12.5",
        "--input-encoding", "binary", "--input-schema", schema.toString(), "--feature-fields", "a, b,c",
        "--id-field", "key", "--kafka-property", "security.protocol=SASL_SSL",
        "--kafka-property=sasl.jaas.config=x=y", "--bounded", "--starting-offsets", "earliest");
    assertThat(config.batchSize()).isEqualTo(32);
    assertThat(config.batchTimeoutMillis()).isEqualTo(250);
    assertThat(config.checkpointIntervalMillis()).isEqualTo(2000);
    assertThat(config.transactionTimeoutMillis()).isEqualTo(900_000);
    assertThat(config.threshold()).hasValue(-12.5);
    assertThat(config.inputEncoding()).isEqualTo(InputEncoding.BINARY);
    assertThat(config.inputSchemaJson()).hasValueSatisfying(json -> assertThat(json).contains("\"R\""));
    assertThat(config.featureFields()).containsExactly("a", "b", "c");
    assertThat(config.idField()).hasValue("key");
    assertThat(config.timestampField()).isEmpty();
    assertThat(config.kafkaProperties()).isEqualTo(
        Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "x=y"));
    assertThat(config.bounded()).isTrue();
    assertThat(config.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
  }

  @Test
  void fromSavepointTakesAnExistingLocalSavepointOrARemoteOne() throws Exception {
    Path savepoint = Files.createDirectory(model.resolve("savepoint-1a2b3c"));
    assertThat(JobConfig.parse("--model", model.toString()).fromSavepoint()).isEmpty();
    assertThat(JobConfig.parse("--model", model.toString(), "--from-savepoint", savepoint.toString())
        .fromSavepoint()).hasValue(savepoint.toString());
    assertThat(JobConfig.parse("--model", model.toString(), "--from-savepoint", savepoint.toUri().toString())
        .fromSavepoint()).hasValue(savepoint.toUri().toString());
    assertThat(JobConfig.parse("--model", model.toString(), "--from-savepoint", "s3://bucket/savepoint-9")
        .fromSavepoint()).hasValue("s3://bucket/savepoint-9");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--from-savepoint",
        model.resolve("savepoint-gone").toString()))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--from-savepoint")
        .hasMessageContaining("savepoint-gone").hasMessageContaining("does not exist");
    assertThat(JobConfig.parse(Map.of("IMPFLOW_JOB_FROM_SAVEPOINT", savepoint.toString()), "--model",
        model.toString()).fromSavepoint()).hasValue(savepoint.toString());
    assertThat(JobConfig.parse("--model", model.toString(), "--from-savepoint", savepoint.toString()).settings())
        .containsEntry("from-savepoint", savepoint.toString());
    assertThat(JobConfig.usage()).contains("--from-savepoint=PATH").contains("exponential delay");
  }

  @Test
  void modelRootsDefaultToTheParentOfTheModelAndAreRepeatable() {
    assertThat(JobConfig.parse("--model", model.toString()).modelRoots())
        .containsExactly(model.getParent().toUri().toString());
    assertThat(JobConfig.parse("--model", model.toString(), "--model-root", "s3://bucket/models",
        "--model-root=" + model).modelRoots()).containsExactly("s3://bucket/models", model.toString());
    assertThatThrownBy(() -> JobConfig.parse("--model", model.toString(), "--model-root", "http://host/models"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--model-root http://host/models")
        .hasMessageContaining("not a file system");
    assertThat(JobConfig.parse(Map.of("IMPFLOW_JOB_MODEL_ROOT", "hdfs://namenode/models"), "--model",
        model.toString()).modelRoots()).containsExactly("hdfs://namenode/models");
  }

  @Test
  void settingsShowTheModelRootsWithoutUserInfo() {
    JobConfig config = JobConfig.parse("--model", model.toString(), "--model-root", "s3://bucket/models",
        "--model-root", "hdfs://user:hunter2@namenode:8020/models");
    assertThat(config.settings()).containsEntry("model-root", "s3://bucket/models,hdfs://***@namenode:8020/models");
    assertThat(config.toString()).doesNotContain("hunter2");
    assertThat(JobConfig.usage()).contains("--model-root=URI");
  }

  @Test
  void rejectsBadValuesNamingTheFlag() {
    String m = model.toString();
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-size", "0"))
        .isInstanceOf(JobConfigException.class).hasMessage("--batch-size must be ≥ 1, got 0");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-size", "many"))
        .hasMessage("--batch-size must be an integer, got 'many'");
    assertThatThrownBy(() -> JobConfig.parse("--batch-size", "8"))
        .hasMessageStartingWith("--model is required");
    assertThatThrownBy(() -> JobConfig.parse("--model", model.resolve("absent").toString()))
        .hasMessageContaining("is not a directory");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-timeout", "fast"))
        .hasMessageStartingWith("--batch-timeout must be a duration");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--transaction-timeout", "16min"))
        .hasMessageStartingWith("--transaction-timeout must be between 1ms and 15min");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--threshold", "NaN"))
        .hasMessage("--threshold must be finite, got NaN");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--feature-fields", "a,b"))
        .hasMessageStartingWith("--feature-fields needs --input-schema");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-encoding", "json"))
        .hasMessage("--input-encoding must be single-object, binary or confluent, got 'json'");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--kafka-property", "novalue"))
        .hasMessage("--kafka-property must be KEY=VALUE, got 7 characters without '=' (not shown: it may hold a secret)");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-sise", "8"))
        .hasMessage("unknown option --batch-sise (see --help for the list)");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-size"))
        .hasMessage("--batch-size needs a value: --batch-size N");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--batch-size", "1", "--batch-size", "2"))
        .hasMessage("--batch-size given twice ('1' and '2')");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--checkpoint-interval", "15min"))
        .hasMessageContaining("must be longer than --checkpoint-interval");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-schema", model.resolve("x.avsc").toString()))
        .hasMessageStartingWith("--input-schema: cannot read");
  }

  @Test
  void flagsComeFromTheEnvironmentOrAConfigFileWithTheCommandLineFirst() throws Exception {
    Path file = Files.writeString(model.resolve("job.properties"),
        "batch-size=64\nbatch-timeout=20ms\ngroup-id=from-file\nmodel=" + model.toString().replace("\\", "/") + "\n");
    Map<String, String> environment = Map.of("IMPFLOW_JOB_BATCH_SIZE", "128", "IMPFLOW_JOB_CONFIG", file.toString(),
        "IMPFLOW_JOB_BOUNDED", "true");
    JobConfig config = JobConfig.parse(environment, "--group-id", "from-args");
    assertThat(config.modelPath()).isEqualTo(model);
    assertThat(config.batchSize()).isEqualTo(128);
    assertThat(config.batchTimeoutMillis()).isEqualTo(20);
    assertThat(config.groupId()).isEqualTo("from-args");
    assertThat(config.bounded()).isTrue();
    assertThat(config.checkpointIntervalMillis()).isEqualTo(10_000);
    assertThat(JobConfig.parse(Map.of(), "--config", file.toString()).batchSize()).isEqualTo(64);
  }

  @Test
  void valuesFromTheEnvironmentOrAFileAreValidatedLikeFlags() throws Exception {
    String m = model.toString();
    assertThatThrownBy(() -> JobConfig.parse(Map.of("IMPFLOW_JOB_BATCH_SIZE", "0"), "--model", m))
        .isInstanceOf(JobConfigException.class).hasMessage("--batch-size must be ≥ 1, got 0");
    Path typo = Files.writeString(model.resolve("typo.properties"), "batch-sise=8\n");
    assertThatThrownBy(() -> JobConfig.parse(Map.of(), "--model", m, "--config", typo.toString()))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("typo.properties: unknown option 'batch-sise'");
    assertThatThrownBy(() -> JobConfig.parse(Map.of(), "--model", m, "--config", model.resolve("absent").toString()))
        .isInstanceOf(JobConfigException.class).hasMessageStartingWith("--config: cannot read");
  }

  @Test
  void schemaRegistryFlagsParseAndBadOnesAreRefusedNamingTheFlag() throws Exception {
    String m = model.toString();
    Path secrets = Files.writeString(model.resolve("client.properties"), "security.protocol=SASL_SSL\n"
        + "basic.auth.user.info=svc:hunter2\nschema.registry.ssl.truststore.location=/etc/ssl/registry.p12\n"
        + "schema.registry.ssl.truststore.password=changeit\n");
    JobConfig config = JobConfig.parse("--model", m, "--input-encoding", "confluent", "--output-encoding",
        "confluent", "--schema-registry-url", "http://r1:8081, https://r2:8081/apis/ccompat/v7",
        "--schema-registry-max-wait", "2s", "--feature-fields", "t,h", "--kafka-properties-file", secrets.toString());
    assertThat(config.inputEncoding()).isEqualTo(InputEncoding.CONFLUENT);
    assertThat(config.outputEncoding()).isEqualTo(OutputEncoding.CONFLUENT);
    assertThat(config.registry().orElseThrow().urls())
        .containsExactly("http://r1:8081", "https://r2:8081/apis/ccompat/v7");
    assertThat(config.registry().orElseThrow().maxWait()).hasSeconds(2);
    assertThat(config.featureFields()).containsExactly("t", "h");
    assertThat(config.kafkaProperties()).as("registry keys are not Kafka client properties")
        .containsOnlyKeys("security.protocol");
    assertThat(config.settings()).containsEntry("schema-registry.basic.auth.user.info", "[redacted]")
        .containsEntry("schema-registry.schema.registry.ssl.truststore.password", "[redacted]")
        .containsEntry("schema-registry.schema.registry.ssl.truststore.location", "/etc/ssl/registry.p12")
        .containsEntry("output-encoding", "confluent");
    assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("changeit");
    assertThat(JobConfig.parse("--model", m).outputEncoding()).isEqualTo(OutputEncoding.SINGLE_OBJECT);
    assertThat(JobConfig.parse("--model", m).registry()).isEmpty();

    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-encoding", "confluent"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("need --schema-registry-url");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--output-encoding", "confluent",
        "--schema-registry-url", "localhost:8081")).isInstanceOf(JobConfigException.class)
        .hasMessage("--schema-registry-url 'localhost:8081' needs an http:// or https:// scheme, e.g."
            + " http://localhost:8081");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--schema-registry-url", "http://r:8081"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("only used with --input-encoding confluent");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--output-encoding", "avro"))
        .isInstanceOf(JobConfigException.class)
        .hasMessage("--output-encoding must be single-object or confluent, got 'avro'");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-encoding", "json"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("single-object, binary or confluent");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-encoding", "confluent",
        "--schema-registry-url", "http://r:8081", "--schema-registry-max-wait", "soon"))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--schema-registry-max-wait must be a duration");
    Path avsc = Files.writeString(model.resolve("s.avsc"), "{\"type\":\"record\",\"name\":\"S\",\"fields\":[]}");
    assertThatThrownBy(() -> JobConfig.parse("--model", m, "--input-encoding", "confluent",
        "--schema-registry-url", "http://r:8081", "--input-schema", avsc.toString()))
        .isInstanceOf(JobConfigException.class).hasMessageContaining("--input-schema does not apply");
  }

  @Test
  void helpNeedsNoModelAndListsEveryFlag() {
    JobConfig config = JobConfig.parse("--help");
    assertThat(config.help()).isTrue();
    String usage = JobConfig.usage();
    for (String flag : new String[] {"--model=DIR", "--batch-size=N", "--batch-timeout=DURATION", "--threshold",
        "--input-schema=FILE.avsc", "--feature-fields=a,b,c", "--kafka-property=KEY=VALUE", "--bounded",
        "--config=FILE.properties", "IMPFLOW_JOB_<FLAG>", "--input-encoding=single-object|binary|confluent",
        "--output-encoding=single-object|confluent", "--schema-registry-url=URL[,URL...]",
        "--schema-registry-max-wait=DURATION"}) {
      assertThat(usage).contains(flag);
    }
    assertThat(usage).startsWith("Usage: impflow job").contains("(default: 256)");
  }
}
