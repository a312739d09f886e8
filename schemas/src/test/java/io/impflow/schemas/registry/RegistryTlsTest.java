package io.impflow.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over TLS, against an HTTPS registry whose certificate the JDK's keytool made for this test:
 * trusted through {@code schema.registry.ssl.truststore.*}, refused without it, and a bad store named.
 */
class RegistryTlsTest {
  private static final Schema SCHEMA = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"T\",\"fields\":"
      + "[{\"name\":\"x\",\"type\":\"double\"}]}");

  @TempDir Path dir;

  private void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }

  @Test
  void aTrustedRegistryAnswersOverHttpsAndAnUntrustedOneIsUnavailable() throws Exception {
    Path server = dir.resolve("server.p12");
    Path trust = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        server.toString(), "-storepass", "serverpass");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("registry", load(server, "serverpass").getCertificate("registry"));
    try (OutputStream out = Files.newOutputStream(trust)) {
      trusted.store(out, "trustpass".toCharArray());
    }

    try (InProcessSchemaRegistry registry = InProcessSchemaRegistry.https(serverContext(server, "serverpass"))) {
      int id = registry.register("t-value", SCHEMA);
      assertThat(registry.url()).startsWith("https://");
      RegistrySettings withTrust = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(
          "schema.registry.ssl.truststore.location", trust.toString(),
          "schema.registry.ssl.truststore.password", "trustpass"), Duration.ofSeconds(5));
      assertThat(new SchemaRegistryClient(withTrust).schemaById(id)).contains(SCHEMA);

      RegistrySettings untrusted = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(),
          Duration.ofMillis(300));
      assertThatThrownBy(() -> new SchemaRegistryClient(untrusted).schemaById(id))
          .isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("SSLHandshakeException");

      RegistrySettings wrongPassword = RegistrySettings.of("--schema-registry-url", registry.url(), Map.of(
          "schema.registry.ssl.truststore.location", trust.toString(),
          "schema.registry.ssl.truststore.password", "nope"), Duration.ofSeconds(1));
      assertThatThrownBy(() -> new SchemaRegistryClient(wrongPassword))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("schema.registry.ssl.truststore.location").hasMessageContaining("trust.p12")
          .hasMessageNotContaining("nope");
    }
  }

  private static KeyStore load(Path keystore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }

  private static SSLContext serverContext(Path keystore, String password) throws Exception {
    KeyStore store = load(keystore, password);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
