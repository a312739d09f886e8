/** End-to-end load: records produced to a real broker (as fast as possible or at an offered rate), through the streaming job, timed to the sinks. */
package io.impflow.bench.e2e;
