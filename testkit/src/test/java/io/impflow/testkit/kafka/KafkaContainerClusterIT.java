package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The container backend runs the same broker check as the process backend; skipped without a Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerClusterIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension(KafkaBackend.CONTAINER);

    @Test
    void transactionalRecordsRoundTripThroughAThreePartitionTopic() throws ExecutionException, InterruptedException {
        assertThat(KAFKA.cluster().backend()).isEqualTo("container");
        assertThat(KAFKA.cluster()).isInstanceOf(KafkaContainerCluster.class);

        TransactionalRoundTrip.run(KAFKA.cluster(), "round-trip");
    }
}
