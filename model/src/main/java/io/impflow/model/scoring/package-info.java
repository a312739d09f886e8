/** Per-batch scoring results: log-likelihoods, solver diagnostics and per-row status. */
package io.impflow.model.scoring;
