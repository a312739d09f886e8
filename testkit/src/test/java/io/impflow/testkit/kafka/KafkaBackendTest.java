package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing of the backend system property. */
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
}
