package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container backend runs the same broker check as the process backend. Skipped when no Docker engine holds the
 * broker image, unless -Dimpflow.kafka.backend=container asks for containers, when a missing image fails the run.
 */
@EnabledIf("containerBackendRequestedOrAvailable")
class KafkaContainerClusterIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension(KafkaBackend.CONTAINER);

    @Test
    void transactionalRecordsRoundTripThroughAThreePartitionTopic() throws ExecutionException, InterruptedException {
        assertThat(KAFKA.cluster().backend()).isEqualTo("container");
        assertThat(KAFKA.cluster()).isInstanceOf(KafkaContainerCluster.class);

        TransactionalRoundTrip.run(KAFKA.cluster(), "round-trip");
    }

    static boolean containerBackendRequestedOrAvailable() {
        return KafkaBackend.fromSystemProperty() == KafkaBackend.CONTAINER || KafkaContainerCluster.imagePresent();
    }
}
