/** Kafka client settings shared by the job and the trainer: properties files and the redaction of secrets. */
package io.impflow.schemas.kafka;
