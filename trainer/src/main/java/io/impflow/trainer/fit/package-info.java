/** The training loop: Adam with clipping, spectral normalization, weight EMA, early stopping, device choice and progress output. */
package io.impflow.trainer.fit;
