/** The job's metrics in Flink metric groups: scored records, alerts, dead letters by reason, batches, latency. */
package io.impflow.job.metrics;
