/** End-to-end load: records produced to a real broker as fast as possible, through the streaming job, timed to the sinks. */
package io.impflow.bench.e2e;
