package io.impflow.trainer.cli;

import io.impflow.schemas.registry.RegistrySettings;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the records of a {@code kafka://} topic are framed, with the same flags as the job's: single-object encoding,
 * or schema-registry framing with writer schemas from {@code --schema-registry-url}; shared by every command that
 * reads Kafka.
 */
final class KafkaFramingOptions {
  private static final String SINGLE_OBJECT = "single-object";
  private static final String CONFLUENT = "confluent";

  @Option(names = "--input-encoding", paramLabel = "single-object|confluent", defaultValue = SINGLE_OBJECT,
      description = "Framing of kafka:// records: single-object (FeatureVector), or confluent: schema-registry"
          + " framed (0x00 + 4-byte schema id + body), writer schemas from --schema-registry-url, features by field"
          + " name (default: ${DEFAULT-VALUE}).")
  String inputEncoding;

  @Option(names = "--schema-registry-url", paramLabel = "URL[,URL...]",
      description = "Schema registry (Confluent API; Apicurio: .../apis/ccompat/v7) for --input-encoding confluent;"
          + " credentials and TLS in --kafka-properties-file (basic.auth.user.info, bearer.auth.token,"
          + " schema.registry.ssl.*).")
  String schemaRegistryUrl;

  /**
   * The registry settings for confluent framing, or null for single-object encoding.
   *
   * @throws IllegalArgumentException naming the flag of a bad or missing value
   */
  RegistrySettings registry(Map<String, String> clientProperties) {
    if (SINGLE_OBJECT.equals(inputEncoding)) {
      if (schemaRegistryUrl != null) {
        throw new IllegalArgumentException("--schema-registry-url is only used with --input-encoding confluent");
      }
      return null;
    }
    if (!CONFLUENT.equals(inputEncoding)) {
      throw new IllegalArgumentException("--input-encoding must be single-object or confluent, got '"
          + inputEncoding + "'");
    }
    if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
      throw new IllegalArgumentException("--input-encoding confluent needs --schema-registry-url URL[,URL...] (for"
          + " Apicurio Registry: http://HOST:PORT/apis/ccompat/v7)");
    }
    return RegistrySettings.of("--schema-registry-url", schemaRegistryUrl, clientProperties,
        RegistrySettings.DEFAULT_MAX_WAIT);
  }
}
