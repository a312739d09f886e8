/**
 * The model store: versioned artifact directories under a root URI with an atomically switched {@code latest}
 * pointer and retention, read and written through Flink's {@code FileSystem} (file://, and s3:// or hdfs:// with the
 * matching Flink plugin); fetching an artifact from such a URI for loading; and the allow-list that decides which
 * artifact URIs a job may load.
 */
package io.impflow.model.store;
