/**
 * A real multi-process Flink standalone session cluster for failure tests: a JobManager and TaskManagers as separate
 * JVMs started from Maven jars (no flink-dist), with jar submission over the REST API as {@code flink run} does it.
 */
package io.impflow.testkit.flink;
