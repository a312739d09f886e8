/**
 * The checks that a deployed pipeline (docker/compose.yaml, docker/k8s/) runs against its own Kafka: create the
 * topics, produce a seeded load with malformed records, wait for committed output, and verify that every input
 * record was scored or dead-lettered exactly once with the offline model's exact score. The image runs them as its
 * {@code topics}, {@code produce}, {@code await} and {@code verify} entrypoints; docker/test.sh drives them.
 */
package io.impflow.demo.cluster;
