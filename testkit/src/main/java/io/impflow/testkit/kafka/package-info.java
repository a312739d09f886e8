/**
 * A real Kafka broker for tests: one {@link io.impflow.testkit.kafka.KafkaCluster} abstraction with a KRaft broker
 * process backend and a Testcontainers backend, plus a JUnit 5 extension that gives each test class its own broker.
 */
package io.impflow.testkit.kafka;
