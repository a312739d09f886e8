/** Exactly-once Kafka sinks for scores, alerts and dead letters, and the matching Kafka source of raw records. */
package io.impflow.job.sink;
