package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.serde.ConfluentFraming;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The demo's event framing: schema-registry framed events against a registry it starts, and its flags' checks. */
class EventFramingTest {
  @Test
  void confluentEventsAreFramedUnderTheIdOfEventsValueAndTheJobIsToldWhere() {
    SchemaRegistryClient client;
    try (EventFraming framing = EventFraming.confluent(null)) {
      byte[] bytes = framing.encoder().apply(MalformedKind.vector("e1", new double[] {1, 2}, Instant.now()));
      assertThat(bytes[0]).isEqualTo(ConfluentFraming.MAGIC);
      client = new SchemaRegistryClient(framing.registry());
      assertThat(client.schemaById(ConfluentFraming.schemaId(bytes))).contains(FeatureVector.getClassSchema());
      assertThat(framing.jobArguments()).containsExactly("--input-encoding", "confluent", "--schema-registry-url",
          framing.registry().urls().get(0));
      assertThat(framing.describe()).contains("events-value").contains("started in this JVM");
    }
    assertThat(client.unreachable()).as("closing stops the registry the demo started").isPresent();
    try (EventFraming framing = EventFraming.singleObject()) {
      assertThat(framing.jobArguments()).isEmpty();
      assertThat(framing.registry()).isNull();
      assertThat(framing.encoder().apply(MalformedKind.vector("e1", new double[] {1}, Instant.now()))[0])
          .isEqualTo((byte) 0xC3);
    }
  }

  @Test
  void badFramingFlagsAreRefusedNamingTheFlag() {
    DemoSettings defaults = DemoSettings.defaults(Path.of("."));
    assertThat(defaults.inputEncoding()).isEqualTo(DemoSettings.SINGLE_OBJECT);
    assertThatThrownBy(() -> defaults.withConfluentEvents("localhost:8081"))
        .hasMessageContaining("--schema-registry-url 'localhost:8081' needs an http:// or https:// scheme");
    assertThatThrownBy(() -> new DemoSettings(defaults.home(), null, 0, 0, 3, 1L, 0, defaults.checkpointInterval(),
        defaults.stallTimeout(), false, false, defaults.modelCache(), defaults.reportRoot(), defaults.training(),
        false, "avro", null)).hasMessage("--input-encoding must be single-object or confluent, got 'avro'");
    assertThatThrownBy(() -> new DemoSettings(defaults.home(), null, 0, 0, 3, 1L, 0, defaults.checkpointInterval(),
        defaults.stallTimeout(), false, false, defaults.modelCache(), defaults.reportRoot(), defaults.training(),
        false, DemoSettings.SINGLE_OBJECT, "http://r:8081"))
        .hasMessage("--schema-registry-url is only used with --input-encoding confluent");
  }
}
