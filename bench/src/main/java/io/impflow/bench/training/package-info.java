/** Training throughput: optimizer steps per second of the real training loop on a CPU or a GPU. */
package io.impflow.bench.training;
