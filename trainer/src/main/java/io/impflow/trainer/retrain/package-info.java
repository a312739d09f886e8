/**
 * Retraining from the stream: read a window of the input topic, fit a candidate with the serving model's settings,
 * gate it against the serving model on the newest rows it did not see, and publish and announce only a candidate
 * that passes; once, on a schedule, or when the job reports drift.
 */
package io.impflow.trainer.retrain;
