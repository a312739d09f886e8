/** Tests of the multi-process Flink test cluster: start, jar submission over REST, kill and replace, watchdog. */
package io.impflow.testkit.flink;
