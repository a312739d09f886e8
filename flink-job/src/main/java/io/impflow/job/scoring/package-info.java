/** Micro-batch scoring of feature records by exact log-likelihood, and routing of the results. */
package io.impflow.job.scoring;
