/** Turning raw Kafka records into validated feature rows, or into dead letters that say why not. */
package io.impflow.job.decode;
