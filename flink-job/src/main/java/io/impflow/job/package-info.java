/** The Flink streaming job that scores Kafka records by exact log-likelihood and writes scores, alerts and dead letters. */
package io.impflow.job;
