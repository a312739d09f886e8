/** Data sources for the trainer (CSV, Avro container files, a Kafka topic window, built-in 2D toy data) and the ODDS evaluation splits. */
package io.impflow.trainer.data;
