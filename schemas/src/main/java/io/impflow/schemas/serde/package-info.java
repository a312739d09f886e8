/** Avro single-object and plain-binary encodings of the project's records, as Kafka serdes and Flink schemas. */
package io.impflow.schemas.serde;
