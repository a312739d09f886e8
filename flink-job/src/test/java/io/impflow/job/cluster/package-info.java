/** Failure tests of the shaded job jar on a real multi-process Flink session cluster. */
package io.impflow.job.cluster;
