package io.impflow.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
  @TempDir
  Path dir;

  @Test
  void kafkaPasswordSettingsAndSecretLookingNamesAreSecrets() {
    for (String key : new String[] {"sasl.jaas.config", "ssl.truststore.password", "ssl.keystore.password",
        "ssl.key.password", "ssl.keystore.key", "sasl.oauthbearer.client.credentials.client.secret",
        "my.custom.api.token"}) {
      assertThat(KafkaClientProperties.isSecret(key)).as(key).isTrue();
    }
    for (String key : new String[] {"bootstrap.servers", "security.protocol", "sasl.mechanism",
        "ssl.truststore.location", "ssl.truststore.type", "client.id"}) {
      assertThat(KafkaClientProperties.isSecret(key)).as(key).isFalse();
    }
  }

  @Test
  void redactionKeepsOrderAndNonSecrets() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("security.protocol", "SASL_SSL");
    properties.put("sasl.jaas.config", "... password=\"pw\";");
    assertThat(KafkaClientProperties.redacted(properties)).containsExactly(
        Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.jaas.config", KafkaClientProperties.REDACTED));
  }

  @Test
  void loadsAPropertiesFileAndNamesTheFileNotItsContentsOnFailure() throws Exception {
    Path file = Files.writeString(dir.resolve("k.properties"), "# client\nsasl.jaas.config=a \\\n  b=\"c\";\n");
    assertThat(KafkaClientProperties.load("--x", file)).containsExactly(Map.entry("sasl.jaas.config", "a b=\"c\";"));
    Path bad = Files.writeString(dir.resolve("bad.properties"), "ssl.key.password=hunter2\\uZZZZ\n");
    assertThatThrownBy(() -> KafkaClientProperties.load("--x", bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--x: cannot read " + bad.toAbsolutePath()).message().doesNotContain("hunter2");
    assertThatThrownBy(() -> KafkaClientProperties.load("--x", dir.resolve("absent")))
        .hasMessageContaining("NoSuchFileException");
  }
}
