/** {@code ./impflow demo}: the whole pipeline (local Kafka broker, trained model, Flink job, replay, summary) on one machine. */
package io.impflow.demo;
