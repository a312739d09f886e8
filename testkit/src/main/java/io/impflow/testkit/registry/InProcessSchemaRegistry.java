package io.impflow.testkit.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A schema registry in this JVM, over the JDK's HTTP server, implementing exactly the calls used by this project
 * and by the serializer its tests produce records with; it is not a registry product. No real registry server could
 * be run here offline (Confluent's is not on Maven Central; Apicurio's app jar holds classes for Quarkus's build
 * step, no runnable application), so tests talk to this one, with records written by Apicurio's own serializer.
 *
 * <p>One id space for every API, like Apicurio's: an id names a distinct schema text (Apicurio's content id), the
 * same text registered twice keeps its id. Served:
 * <ul>
 *   <li>Confluent API at {@link #url()}: {@code GET /schemas/ids/{id}}, {@code POST /subjects/{subject}/versions},
 *       {@code GET /config};
 *   <li>Apicurio Registry v2 at {@link #apicurioV2Url()}: {@code POST /groups/{group}/artifacts} (the call
 *       Apicurio's 2.x serializer auto-registers with).
 * </ul>
 * {@link #stop()} and {@link #start()} take it down and up again on the same port, keeping its schemas, to stage a
 * registry outage. Optionally every request must carry one {@code Authorization} header value, or it serves HTTPS.
 */
public final class InProcessSchemaRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(\\d+)");
  private static final Pattern SUBJECT_VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern APICURIO_ARTIFACTS = Pattern.compile("/apis/registry/v2/groups/([^/]+)/artifacts");

  private final Map<String, Integer> idByText = new HashMap<>();
  private final Map<Integer, String> textById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<Integer, Integer> fetchesById = new HashMap<>();
  private final String authorization;
  private final SSLContext tls;
  private int nextId = 1;
  private int port;
  private HttpServer server;

  private InProcessSchemaRegistry(String authorization, SSLContext tls) {
    this.authorization = authorization;
    this.tls = tls;
  }

  /** A running registry on a free loopback port that asks for no credentials. */
  public static InProcessSchemaRegistry running(int firstId) {
    return started(null, firstId);
  }

  /** A running registry that answers 401 to every request without exactly this {@code Authorization} value. */
  public static InProcessSchemaRegistry requiringAuthorization(String authorization) {
    return started(authorization, 1);
  }

  /** A running registry serving HTTPS only, with the server key and certificate of {@code tls}. */
  public static InProcessSchemaRegistry https(SSLContext tls) {
    InProcessSchemaRegistry registry = new InProcessSchemaRegistry(null, tls);
    registry.start();
    return registry;
  }

  private static InProcessSchemaRegistry started(String authorization, int firstId) {
    InProcessSchemaRegistry registry = new InProcessSchemaRegistry(authorization, null);
    registry.nextId = firstId;
    registry.start();
    return registry;
  }

  /** Starts serving (again), on the port of the first start. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      if (tls == null) {
        server = HttpServer.create(address, 0);
      } else {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the in-process schema registry to port " + port, e);
    }
    port = server.getAddress().getPort();
    server.createContext("/", this::handle);
    server.start();
  }

  /** Stops serving at once; connections are refused until {@link #start()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The Confluent API's base URL, as {@code --schema-registry-url} takes it. */
  public String url() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  /** The Apicurio Registry v2 API's base URL, as Apicurio's 2.x serdes take it ({@code apicurio.registry.url}). */
  public String apicurioV2Url() {
    return url() + "/apis/registry/v2";
  }

  /** Registers {@code schema} under {@code subject} as a producer would, returning its id. */
  public synchronized int register(String subject, Schema schema) {
    return idFor(subject, schema.toString());
  }

  /** The schema texts registered under {@code subject}, by id, oldest first. */
  public synchronized List<Schema> versions(String subject) {
    List<Schema> schemas = new ArrayList<>();
    for (int id : versionsBySubject.getOrDefault(subject, List.of())) {
      schemas.add(new Schema.Parser().parse(textById.get(id)));
    }
    return schemas;
  }

  /** The id of {@code schema} if registered (any subject), else -1. */
  public synchronized int idOf(Schema schema) {
    return idByText.getOrDefault(new Schema.Parser().parse(schema.toString()).toString(), -1);
  }

  /** How often {@code GET /schemas/ids/{id}} was answered for this id. */
  public synchronized int schemaFetches(int id) {
    return fetchesById.getOrDefault(id, 0);
  }

  /** Requests answered so far. */
  public int requests() {
    return requests.get();
  }

  private synchronized int idFor(String subject, String text) {
    String canonical = new Schema.Parser().parse(text).toString();
    Integer id = idByText.get(canonical);
    if (id == null) {
      id = nextId++;
      idByText.put(canonical, id);
      textById.put(id, canonical);
    }
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        reply(exchange, 401, error(40101, "Unauthorized"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      Matcher m;
      if (method.equals("GET") && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
        String text;
        synchronized (this) {
          int id = Integer.parseInt(m.group(1));
          text = textById.get(id);
          fetchesById.merge(id, 1, Integer::sum);
        }
        if (text == null) {
          reply(exchange, 404, error(40403, "Schema " + m.group(1) + " not found"));
        } else {
          reply(exchange, 200, JSON.createObjectNode().put("schema", text).toString());
        }
      } else if (method.equals("POST") && (m = SUBJECT_VERSIONS.matcher(path)).matches()) {
        String subject = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        String text = JSON.readTree(body(exchange)).path("schema").asText();
        reply(exchange, 200, JSON.createObjectNode().put("id", idFor(subject, text)).toString());
      } else if (method.equals("GET") && path.equals("/config")) {
        reply(exchange, 200, "{\"compatibilityLevel\":\"BACKWARD\"}");
      } else if (method.equals("POST") && (m = APICURIO_ARTIFACTS.matcher(path)).matches()) {
        String artifactId = exchange.getRequestHeaders().getFirst("X-Registry-ArtifactId");
        int id = idFor(artifactId, new String(body(exchange), StandardCharsets.UTF_8));
        ObjectNode meta = JSON.createObjectNode().put("groupId", URLDecoder.decode(m.group(1),
            StandardCharsets.UTF_8)).put("id", artifactId).put("version", Integer.toString(id)).put("type", "AVRO")
            .put("globalId", id).put("contentId", id).put("state", "ENABLED");
        reply(exchange, 200, meta.toString());
      } else {
        reply(exchange, 404, error(404, "not served by the in-process registry: " + method + " " + path));
      }
    } catch (RuntimeException e) {
      reply(exchange, 500, error(50001, e.toString()));
    }
  }

  private static byte[] body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  private static String error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message).toString();
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
