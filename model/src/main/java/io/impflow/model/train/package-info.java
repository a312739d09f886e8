/** Training support: trainable parameters, spectral-norm state and the one-pass implicit-gradient objective. */
package io.impflow.model.train;
