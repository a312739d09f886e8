package io.impflow.testkit.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts one Kafka broker per test class and stops it after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
 *
 * @Test
 * void roundTrip() {
 *     KAFKA.cluster().createTopics(3, "events");
 * }
 * }</pre>
 *
 * <p>Register it on a {@code static} field (or with {@code @ExtendWith} and take a {@link KafkaCluster} test or
 * lifecycle-method parameter). Nested classes share the outer class's broker.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final KafkaBackend backend;
    private KafkaCluster cluster;
    private String ownerId;

    /** Creates the extension; the backend comes from the system property {@value KafkaBackend#PROPERTY}. */
    public KafkaClusterExtension() {
        this(null);
    }

    /**
     * Creates the extension with a fixed backend, for tests that only make sense on one of them.
     *
     * @param backend the backend; {@code null} reads {@value KafkaBackend#PROPERTY} when the class starts
     */
    public KafkaClusterExtension(KafkaBackend backend) {
        this.backend = backend;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (cluster == null) {
            cluster = backend == null ? KafkaCluster.start() : KafkaCluster.start(backend);
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null && context.getUniqueId().equals(ownerId)) {
            try {
                cluster.close();
            } finally {
                cluster = null;
                ownerId = null;
            }
        }
    }

    /**
     * Returns the broker of the running test class.
     *
     * @return the running cluster
     * @throws IllegalStateException outside a test class's lifetime, or when the extension is registered on an
     *                               instance field (JUnit then never calls {@code beforeAll})
     */
    public KafkaCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("No Kafka broker is running: KafkaClusterExtension starts one before all"
                    + " tests of a class; register it on a static @RegisterExtension field, not an instance field");
        }
        return cluster;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster();
    }
}
