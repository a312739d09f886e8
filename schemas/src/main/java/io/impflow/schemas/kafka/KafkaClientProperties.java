package io.impflow.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client properties from a properties file, and their redaction: a secret (a password, a JAAS config, a
 * private key) is never shown, whether in logs, the Flink web UI or an error message.
 */
public final class KafkaClientProperties {
  /** What a secret's value is replaced with wherever settings are shown. */
  public static final String REDACTED = "[redacted]";

  /** Names that hold secrets in clients Kafka does not describe (custom login modules, OAuth, key material). */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|passwd|secret|jaas|token|credential|private|user\\.info|\\.key$).*");

  private KafkaClientProperties() {}

  /**
   * Reads a Java properties file of Kafka client settings, in file order.
   *
   * @param flag the flag that named the file, for the error message
   * @throws IllegalArgumentException naming the flag and the file (never its contents) if it cannot be read
   */
  public static Map<String, String> load(String flag, Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": cannot read " + file.toAbsolutePath() + " as a properties file ("
          + e.getClass().getSimpleName() + (e instanceof IOException ? "" : ": malformed \\uXXXX escape") + ")", e);
    }
    Map<String, String> values = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      values.put(key.trim(), properties.getProperty(key));
    }
    return Collections.unmodifiableMap(values);
  }

  /** Whether the value of {@code key} is a secret: a Kafka PASSWORD setting or a name that says so. */
  public static boolean isSecret(String key) {
    return isPassword(ConsumerConfig.configDef(), key) || isPassword(ProducerConfig.configDef(), key)
        || SECRET_NAME.matcher(key).matches();
  }

  /** {@code properties} in their order with every secret value replaced by {@link #REDACTED}. */
  public static Map<String, String> redacted(Map<String, String> properties) {
    Map<String, String> shown = new LinkedHashMap<>();
    properties.forEach((key, value) -> shown.put(key, isSecret(key) ? REDACTED : value));
    return Collections.unmodifiableMap(shown);
  }

  private static boolean isPassword(ConfigDef definition, String key) {
    ConfigDef.ConfigKey described = definition.configKeys().get(key);
    return described != null && described.type == ConfigDef.Type.PASSWORD;
  }
}
