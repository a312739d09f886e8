package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing of the backend system property, and what {@code auto} and {@code container} do without the image. */
class KafkaBackendTest {

    @Test
    void parsesEachBackendNameIgnoringCaseAndBlanks() {
        assertThat(KafkaBackend.parse("process")).isEqualTo(KafkaBackend.PROCESS);
        assertThat(KafkaBackend.parse(" Container ")).isEqualTo(KafkaBackend.CONTAINER);
        assertThat(KafkaBackend.parse("AUTO")).isEqualTo(KafkaBackend.AUTO);
    }

    @Test
    void rejectsAnUnknownNameListingTheValidOnes() {
        assertThatThrownBy(() -> KafkaBackend.parse("docker"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dimpflow.kafka.backend must be one of process, container, auto; got 'docker'");
    }

    @Test
    void concreteBackendsResolveToThemselves() {
        assertThat(KafkaBackend.PROCESS.resolve()).isEqualTo(KafkaBackend.PROCESS);
        assertThat(KafkaBackend.CONTAINER.resolve()).isEqualTo(KafkaBackend.CONTAINER);
    }

    @Test
    void autoFallsBackToTheProcessBackendWhenTheImageIsNotInTheLocalStore() {
        withImage("impflow-no-such-image:missing", () -> {
            assertThat(KafkaContainerCluster.imagePresent()).isFalse();
            assertThat(KafkaBackend.AUTO.resolve()).isEqualTo(KafkaBackend.PROCESS);
        });
    }

    @Test
    void theContainerBackendRefusesAMissingImageInsteadOfPullingIt() {
        withImage("impflow-no-such-image:missing", () -> assertThatThrownBy(KafkaContainerCluster::start)
                .isInstanceOf(KafkaClusterException.class)
                .hasMessageContaining(KafkaContainerCluster.pullFree() ? "impflow-no-such-image:missing" : "pull")
                .hasMessageContaining("never pull"));
    }

    @Test
    void theImageComesFromItsSystemPropertyElseTheProjectImage() {
        withImage(null, () -> assertThat(KafkaContainerCluster.image()).isEqualTo("impflow:latest"));
        withImage(" apache/kafka:4.2.0 ",
                () -> assertThat(KafkaContainerCluster.image()).isEqualTo("apache/kafka:4.2.0"));
    }

    private static void withImage(String image, Runnable check) {
        String before = System.getProperty(KafkaContainerCluster.IMAGE_PROPERTY);
        try {
            if (image == null) {
                System.clearProperty(KafkaContainerCluster.IMAGE_PROPERTY);
            } else {
                System.setProperty(KafkaContainerCluster.IMAGE_PROPERTY, image);
            }
            check.run();
        } finally {
            if (before == null) {
                System.clearProperty(KafkaContainerCluster.IMAGE_PROPERTY);
            } else {
                System.setProperty(KafkaContainerCluster.IMAGE_PROPERTY, before);
            }
        }
    }
}
