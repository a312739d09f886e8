package io.impflow.schemas.registry;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the schema registry is and how to talk to it: base URLs (tried in order), credentials (HTTP basic or a
 * bearer token) and TLS key material, read from the same client properties file as the Kafka secrets under
 * Confluent's own key names, and how long to wait for an unreachable registry. Serializable (Flink ships it).
 */
public final class RegistrySettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code USER:PASSWORD} for HTTP basic authentication. */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  /** Where basic credentials come from; only {@code USER_INFO} (the key above) is supported. */
  public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
  /** A static bearer token sent as {@code Authorization: Bearer TOKEN}. */
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  /** Where the bearer token comes from; only {@code STATIC_TOKEN} (the key above) is supported. */
  public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
  /** The prefix of the registry's TLS settings ({@code schema.registry.ssl.truststore.location} and so on). */
  public static final String SSL_PREFIX = "schema.registry.ssl.";

  /** Every key this class reads; they are registry settings, not Kafka client properties. */
  public static final Set<String> KEYS = Set.of(BASIC_AUTH_USER_INFO, BASIC_AUTH_SOURCE, BEARER_AUTH_TOKEN,
      BEARER_AUTH_SOURCE, SSL_PREFIX + "truststore.location", SSL_PREFIX + "truststore.password",
      SSL_PREFIX + "truststore.type", SSL_PREFIX + "keystore.location", SSL_PREFIX + "keystore.password",
      SSL_PREFIX + "keystore.type", SSL_PREFIX + "key.password");

  /** How long a caller waits for an unreachable registry by default before it gives up and fails. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  private final List<String> urls;
  private final Map<String, String> properties;
  private final long maxWaitMillis;

  private RegistrySettings(List<String> urls, Map<String, String> properties, Duration maxWait) {
    this.urls = List.copyOf(urls);
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.maxWaitMillis = maxWait.toMillis();
  }

  /**
   * Settings for the comma-separated registry URLs, with the registry keys found among {@code clientProperties}
   * (other keys are ignored: they are Kafka's).
   *
   * @param flag the flag the URLs came from, for error messages
   * @throws IllegalArgumentException naming the flag when a URL has no http/https scheme or host, or naming the key
   *     of an unsupported credentials source, or when both basic and bearer credentials are given
   */
  public static RegistrySettings of(String flag, String urls, Map<String, String> clientProperties,
      Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    List<String> parsed = new ArrayList<>();
    for (String part : Objects.requireNonNull(urls, "urls").split(",", -1)) {
      parsed.add(checkedUrl(flag, part.trim()));
    }
    Map<String, String> registry = new LinkedHashMap<>();
    clientProperties.forEach((key, value) -> {
      if (isRegistryKey(key)) {
        registry.put(key, value);
      }
    });
    requireSource(registry, BASIC_AUTH_SOURCE, "USER_INFO", BASIC_AUTH_USER_INFO);
    requireSource(registry, BEARER_AUTH_SOURCE, "STATIC_TOKEN", BEARER_AUTH_TOKEN);
    if (registry.containsKey(BASIC_AUTH_USER_INFO) && registry.containsKey(BEARER_AUTH_TOKEN)) {
      throw new IllegalArgumentException("schema registry credentials: give " + BASIC_AUTH_USER_INFO + " or "
          + BEARER_AUTH_TOKEN + ", not both");
    }
    String userInfo = registry.get(BASIC_AUTH_USER_INFO);
    if (userInfo != null && userInfo.indexOf(':') <= 0) {
      throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be USER:PASSWORD (not shown: it holds a"
          + " secret)");
    }
    return new RegistrySettings(parsed, registry, maxWait);
  }

  /** Whether {@code key} is one of the registry's settings rather than a Kafka client property. */
  public static boolean isRegistryKey(String key) {
    return KEYS.contains(key) || key.startsWith(SSL_PREFIX);
  }

  /** The registry base URLs without trailing slash, in the order they are tried. */
  public List<String> urls() {
    return urls;
  }

  /** The registry settings from the properties file, secrets included: show them only through a redactor. */
  public Map<String, String> properties() {
    return properties;
  }

  /** How long to retry an unreachable registry before giving up. */
  public Duration maxWait() {
    return Duration.ofMillis(maxWaitMillis);
  }

  @Override
  public String toString() {
    return "RegistrySettings" + urls + " (credentials: " + (properties.containsKey(BASIC_AUTH_USER_INFO) ? "basic"
        : properties.containsKey(BEARER_AUTH_TOKEN) ? "bearer" : "none") + ", max wait " + maxWaitMillis + "ms)";
  }

  private static String checkedUrl(String flag, String url) {
    if (url.isEmpty()) {
      throw new IllegalArgumentException(flag + " has an empty URL (expected http[s]://HOST:PORT[/PATH],...)");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(flag + " '" + url + "' is not a URL (" + e.getReason() + ")", e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException(flag + " '" + url + "' needs an http:// or https:// scheme, e.g. "
          + (url.contains("://") ? "http://HOST:PORT" : "http://" + url));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(flag + " '" + url + "' has no host (expected http[s]://HOST:PORT[/PATH])");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(flag + ": a URL must not carry credentials (not shown); put them in the"
          + " properties file as " + BASIC_AUTH_USER_INFO + "=USER:PASSWORD");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void requireSource(Map<String, String> registry, String key, String supported, String valueKey) {
    String source = registry.get(key);
    if (source != null && !source.trim().equalsIgnoreCase(supported)) {
      throw new IllegalArgumentException(key + "=" + source + " is not supported: only " + supported + " (the"
          + " credentials in " + valueKey + ")");
    }
  }
}
