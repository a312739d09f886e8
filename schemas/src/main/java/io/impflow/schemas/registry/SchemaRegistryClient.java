package io.impflow.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal client of the Confluent schema-registry REST API (served by Confluent Schema Registry, Apicurio's
 * {@code /apis/ccompat/v7}, Karapace, Redpanda): {@code GET /schemas/ids/{id}} to read a writer schema and {@code
 * POST /subjects/{subject}/versions} to register one; each call tries every URL in turn and, while none answers,
 * retries with exponential backoff for at most the configured wait. Built over {@code java.net.http}, so the job
 * carries no registry client library and its dependency tree.
 */
public final class SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySettings settings;
  private final HttpClient http;
  private final String authorization;

  /**
   * A client for the settings' registries.
   *
   * @throws IllegalArgumentException if the TLS key or trust store cannot be read (naming the key and the file)
   */
  public SchemaRegistryClient(RegistrySettings settings) {
    this.settings = settings;
    Map<String, String> properties = settings.properties();
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (properties.containsKey(RegistrySettings.SSL_PREFIX + "truststore.location")
        || properties.containsKey(RegistrySettings.SSL_PREFIX + "keystore.location")) {
      builder.sslContext(sslContext(properties));
    }
    this.http = builder.build();
    String userInfo = properties.get(RegistrySettings.BASIC_AUTH_USER_INFO);
    String token = properties.get(RegistrySettings.BEARER_AUTH_TOKEN);
    this.authorization = userInfo != null
        ? "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))
        : token != null ? "Bearer " + token.trim() : null;
  }

  /**
   * The writer schema registered under {@code id}, or empty when the registry says it has none (404).
   *
   * @throws RegistryUnavailableException if no registry answered within the wait
   * @throws UnusableSchemaException if the registry's schema for this id is not an Avro schema this client reads
   */
  public Optional<Schema> schemaById(int id) {
    Reply reply = call("GET /schemas/ids/" + id, url -> get(url + "/schemas/ids/" + id));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    JsonNode body = reply.json();
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new UnusableSchemaException("schema id " + id + " is a " + type + " schema, not Avro");
    }
    if (body.path("references").size() > 0) {
      throw new UnusableSchemaException("schema id " + id + " refers to other subjects (schema references), which"
          + " this reader does not resolve; register the schema self-contained");
    }
    try {
      return Optional.of(new Schema.Parser().parse(body.path("schema").asText()));
    } catch (SchemaParseException e) {
      throw new UnusableSchemaException("schema id " + id + " is not a valid Avro schema (" + e.getMessage() + ")");
    }
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it there) and returns its id.
   *
   * @throws RegistryUnavailableException if no registry answered within the wait
   * @throws IllegalStateException if the registry refuses the schema (for example as incompatible)
   */
  public int register(String subject, Schema schema) {
    String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20")
        + "/versions";
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    Reply reply = call("POST " + path, url -> send(HttpRequest.newBuilder(URI.create(url + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", CONTENT_TYPE)));
    if (reply.status() != 200) {
      throw new IllegalStateException("the schema registry refused " + schema.getFullName() + " under subject '"
          + subject + "' (HTTP " + reply.status() + ": " + reply.text() + "); check the subject's compatibility"
          + " setting");
    }
    return reply.json().path("id").asInt();
  }

  /**
   * Whether some registry answers at all (any HTTP status), without retrying: empty when one does, else why not.
   * For a start-up check that warns rather than refuses, since a registry may come up after the job.
   */
  public Optional<String> unreachable() {
    StringBuilder failures = new StringBuilder();
    for (String url : settings.urls()) {
      try {
        HttpResponse<InputStream> response = get(url + "/config");
        response.body().close();
        if (response.statusCode() == 401 || response.statusCode() == 403) {
          return Optional.of(url + " answers HTTP " + response.statusCode() + ": check the registry credentials in"
              + " the properties file (" + RegistrySettings.BASIC_AUTH_USER_INFO + " or "
              + RegistrySettings.BEARER_AUTH_TOKEN + ")");
        }
        return Optional.empty();
      } catch (IOException e) {
        failures.append(failures.length() == 0 ? "" : "; ").append(url).append(": ").append(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted");
      }
    }
    return Optional.of(failures.toString());
  }

  /** One HTTP exchange with one registry URL. */
  @FunctionalInterface
  private interface Exchange {
    HttpResponse<InputStream> with(String url) throws IOException, InterruptedException;
  }

  /** A registry's answer: a status the caller handles (2xx, 404 and other 4xx) and the body. */
  private record Reply(int status, byte[] body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("the schema registry answered HTTP " + status + " with a body that is not"
            + " JSON: " + text(), e);
      }
    }

    String text() {
      String text = new String(body, StandardCharsets.UTF_8);
      return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
  }

  /**
   * The first answer of a registry to {@code exchange}; server errors, 401/403 (credentials may be rotated),
   * timeouts and refused connections count as the registry being unavailable and are retried with backoff.
   */
  private Reply call(String what, Exchange exchange) {
    long deadline = System.nanoTime() + settings.maxWait().toNanos();
    long backoff = FIRST_BACKOFF_MILLIS;
    String lastError = "";
    Throwable lastCause = null;
    int attempts = 0;
    while (true) {
      for (String url : settings.urls()) {
        attempts++;
        try {
          HttpResponse<InputStream> response = exchange.with(url);
          byte[] body;
          try (InputStream in = response.body()) {
            body = in.readAllBytes();
          }
          int status = response.statusCode();
          if (status < 500 && status != 401 && status != 403 && status != 408 && status != 429) {
            return new Reply(status, body);
          }
          lastError = url + " answered HTTP " + status + " " + new Reply(status, body).text();
          lastCause = null;
        } catch (IOException e) {
          lastError = url + ": " + e;
          lastCause = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RegistryUnavailableException("interrupted while calling the schema registry (" + what + ")", e);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new RegistryUnavailableException("no schema registry answered " + what + " within "
            + settings.maxWait().toMillis() + " ms (" + attempts + " attempts at " + settings.urls()
            + "); last error: " + lastError, lastCause);
      }
      LOG.warn("schema registry unavailable for {} ({}); retrying in {} ms", what, lastError, backoff);
      try {
        Thread.sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException("interrupted while waiting for the schema registry (" + what + ")",
            e);
      }
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  private HttpResponse<InputStream> get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private HttpResponse<InputStream> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    request.timeout(REQUEST_TIMEOUT).header("Accept", CONTENT_TYPE + ", application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private static SSLContext sslContext(Map<String, String> properties) {
    String prefix = RegistrySettings.SSL_PREFIX;
    try {
      TrustManagerFactory trust = null;
      String truststore = properties.get(prefix + "truststore.location");
      if (truststore != null) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore(prefix + "truststore", truststore, properties));
      }
      KeyManagerFactory keys = null;
      String keystore = properties.get(prefix + "keystore.location");
      if (keystore != null) {
        KeyStore store = keyStore(prefix + "keystore", keystore, properties);
        String keyPassword = properties.getOrDefault(prefix + "key.password",
            properties.getOrDefault(prefix + "keystore.password", ""));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("schema registry TLS settings (" + prefix + "*) do not give a usable key"
          + " or trust store: " + e.getMessage(), e);
    }
  }

  private static KeyStore keyStore(String key, String location, Map<String, String> properties)
      throws GeneralSecurityException {
    String type = properties.getOrDefault(key + ".type", "PKCS12");
    String password = properties.getOrDefault(key + ".password", "");
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      store.load(in, password.toCharArray());
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ".location: cannot read " + Path.of(location).toAbsolutePath()
          + " as a " + type + " store (" + e.getMessage() + ")", e);
    }
    return store;
  }
}
