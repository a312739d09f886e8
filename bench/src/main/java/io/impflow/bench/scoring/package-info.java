/** JMH throughput benchmark of exact float64 scoring with the reference ImpFlow model (issue 3). */
package io.impflow.bench.scoring;
