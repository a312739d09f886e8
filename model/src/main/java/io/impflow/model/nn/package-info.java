/** Lipschitz-constrained residual MLPs: layers, bounded-slope activations with exact derivatives, spectral normalization. */
package io.impflow.model.nn;
