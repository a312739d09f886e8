package io.impflow.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.ConfluentFraming;
import io.impflow.schemas.serde.RegistryDecoder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import io.impflow.testkit.registry.ApicurioProducer;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Framed records written by Apicurio's serializer, read back through the registry client and the per-id cache:
 * writer versions resolved by name, the failure kinds, and a registry that goes away.
 */
class RegistryDecoderTest {
  static final Schema V1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":"
      + "\"com.acme\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"x\",\"type\":\"double\"}]}");
  /** A later version: a new field in front, {@code x} now a float, a string field the reader never builds. */
  static final Schema V2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":"
      + "\"com.acme\",\"fields\":[{\"name\":\"site\",\"type\":\"string\"},{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"x\",\"type\":\"float\"}]}");
  /** Projects any writer onto {@code x} read as a double. */
  static final Function<Schema, Schema> X_ONLY = writer -> {
    if (writer.getField("x") == null) {
      throw new AvroDecodeException(DeadLetterReason.MISSING_FEATURE, "no field 'x'");
    }
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + writer.getName() + "\",\"namespace\":\""
        + writer.getNamespace() + "\",\"fields\":[{\"name\":\"x\",\"type\":\"double\"}]}");
  };

  private final InProcessSchemaRegistry registry = InProcessSchemaRegistry.running(100);

  @AfterEach
  void stop() {
    registry.close();
  }

  private RegistryDecoder<GenericRecord> decoder(Duration maxWait) {
    RegistrySettings settings = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(), maxWait);
    return new RegistryDecoder<>(new SchemaRegistryClient(settings), GenericData.get(), X_ONLY, 10);
  }

  @Test
  void twoWriterVersionsOnOneTopicResolveByFieldNameAndEachSchemaIsFetchedOnce() {
    byte[] first;
    byte[] second;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      first = producer.serialize("readings", new GenericRecordBuilder(V1).set("id", "a").set("x", 1.5).build());
      second = producer.serialize("readings", new GenericRecordBuilder(V2).set("site", "plant-1").set("id", "b")
          .set("x", 2.25f).build());
    }
    assertThat(first[0]).isEqualTo(ConfluentFraming.MAGIC);
    assertThat(ConfluentFraming.schemaId(first)).isEqualTo(registry.idOf(V1));
    assertThat(ConfluentFraming.schemaId(second)).isEqualTo(registry.idOf(V2)).isNotEqualTo(registry.idOf(V1));
    assertThat(registry.versions("readings-value")).containsExactly(V1, V2);

    RegistryDecoder<GenericRecord> decoder = decoder(Duration.ofSeconds(5));
    int before = registry.requests();
    for (int i = 0; i < 5; i++) {
      assertThat(decoder.decode(first).get("x")).isEqualTo(1.5);
      assertThat(decoder.decode(second).get("x")).isEqualTo(2.25);
      assertThat(decoder.decode(second).getSchema().getFields()).hasSize(1);
    }
    assertThat(registry.requests() - before).as("one GET per writer schema id").isEqualTo(2);
  }

  @Test
  void anUnknownIdIsUnknownSchemaNamingTheIdAndAGarbledBodyIsMalformed() {
    int id = registry.register("readings-value", V1);
    RegistryDecoder<GenericRecord> decoder = decoder(Duration.ofSeconds(5));
    byte[] unknown = {0, 0, 0, 0x30, 0x39, 2, 'a'};
    assertThatThrownBy(() -> decoder.decode(unknown)).isInstanceOfSatisfying(AvroDecodeException.class,
        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA))
        .hasMessageContaining("unknown schema id 12345").hasMessageContaining("404");
    byte[] garbled = {0, 0, 0, 0, (byte) id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
    assertThatThrownBy(() -> decoder.decode(garbled)).isInstanceOfSatisfying(AvroDecodeException.class,
        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO));
    byte[] singleObject = {(byte) 0xC3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    assertThatThrownBy(() -> decoder.decode(singleObject)).isInstanceOfSatisfying(AvroDecodeException.class,
        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("--input-encoding single-object");
    assertThatThrownBy(() -> decoder.decode(new byte[] {0, 0, 1})).hasMessageContaining("truncated header");
  }

  @Test
  void aWriterSchemaTheReaderCannotUseFailsEveryRecordOfItsIdWithTheReadersReason() {
    Schema noX = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"com.acme\","
        + "\"fields\":[{\"name\":\"y\",\"type\":\"double\"}]}");
    int id = registry.register("readings-value", noX);
    RegistryDecoder<GenericRecord> decoder = decoder(Duration.ofSeconds(5));
    byte[] message = {0, 0, 0, 0, (byte) id, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> decoder.decode(message)).isInstanceOfSatisfying(AvroDecodeException.class,
          e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MISSING_FEATURE))
          .hasMessageContaining("schema id " + id + " (com.acme.Reading)").hasMessageContaining("'x'");
    }
  }

  @Test
  void aStoppedRegistryIsUnavailableAfterTheWaitAndCachedIdsStillDecode() {
    byte[] cached;
    byte[] uncached;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      cached = producer.serialize("readings", new GenericRecordBuilder(V1).set("id", "a").set("x", 1.5).build());
      uncached = producer.serialize("readings", new GenericRecordBuilder(V2).set("site", "s").set("id", "b")
          .set("x", 3f).build());
    }
    RegistryDecoder<GenericRecord> decoder = decoder(Duration.ofMillis(700));
    decoder.decode(cached);
    registry.stop();
    assertThat(decoder.decode(cached).get("x")).isEqualTo(1.5);
    long start = System.nanoTime();
    assertThatThrownBy(() -> decoder.decode(uncached)).isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("within 700 ms").hasMessageContaining(registry.url());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    registry.start();
    assertThat(decoder.decode(uncached).get("x")).isEqualTo(3.0);
    assertThat(Arrays.copyOf(uncached, 1)).containsExactly(ConfluentFraming.MAGIC);
  }

  @Test
  void credentialsFromThePropertiesFileAreSentAndAMissingOneIsNotTheRecordsFault() {
    try (InProcessSchemaRegistry secured = InProcessSchemaRegistry.requiringAuthorization("Basic dTpw")) {
      int id = secured.register("readings-value", V1);
      RegistrySettings right = RegistrySettings.of("--schema-registry-url", secured.url(),
          Map.of(RegistrySettings.BASIC_AUTH_USER_INFO, "u:p", "security.protocol", "SASL_SSL"), Duration.ofSeconds(1));
      assertThat(right.properties()).containsOnlyKeys(RegistrySettings.BASIC_AUTH_USER_INFO);
      assertThat(new SchemaRegistryClient(right).schemaById(id)).contains(V1);
      assertThat(new SchemaRegistryClient(right).unreachable()).isEmpty();
      RegistrySettings none = RegistrySettings.of("--schema-registry-url", secured.url(), Map.of(),
          Duration.ofMillis(300));
      assertThatThrownBy(() -> new SchemaRegistryClient(none).schemaById(id))
          .isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("HTTP 401");
      assertThat(new SchemaRegistryClient(none).unreachable()).get().asString()
          .contains("401").contains(RegistrySettings.BASIC_AUTH_USER_INFO);
    }
  }

  @Test
  void badUrlsAndCredentialSettingsAreRefusedNamingTheFlagOrKey() {
    assertThatThrownBy(() -> RegistrySettings.of("--schema-registry-url", "localhost:8081", Map.of(),
        Duration.ofSeconds(1))).hasMessageContaining("needs an http:// or https:// scheme")
        .hasMessageContaining("http://localhost:8081");
    assertThatThrownBy(() -> RegistrySettings.of("--schema-registry-url", "http://a:1,,http://b:2", Map.of(),
        Duration.ofSeconds(1))).hasMessageContaining("empty URL");
    assertThatThrownBy(() -> RegistrySettings.of("--schema-registry-url", "http://u:secret@a:1", Map.of(),
        Duration.ofSeconds(1))).hasMessageContaining("must not carry credentials").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RegistrySettings.of("--schema-registry-url", "http://a:1",
        Map.of(RegistrySettings.BASIC_AUTH_USER_INFO, "u:p", RegistrySettings.BEARER_AUTH_TOKEN, "t"),
        Duration.ofSeconds(1))).hasMessageContaining("not both");
    assertThatThrownBy(() -> RegistrySettings.of("--schema-registry-url", "http://a:1",
        Map.of(RegistrySettings.BASIC_AUTH_SOURCE, "SASL_INHERIT"), Duration.ofSeconds(1)))
        .hasMessageContaining("only USER_INFO");
    assertThat(RegistrySettings.of("--schema-registry-url", "https://a:1/apis/ccompat/v7/, http://b:2", Map.of(),
        Duration.ofSeconds(1)).urls()).containsExactly("https://a:1/apis/ccompat/v7", "http://b:2");
  }

  @Test
  void anUnreachableRegistryIsReportedWithoutRetrying() {
    registry.stop();
    RegistrySettings settings = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(),
        Duration.ofMinutes(5));
    assertThat(new SchemaRegistryClient(settings).unreachable()).get().asString().contains(registry.url());
  }
}
