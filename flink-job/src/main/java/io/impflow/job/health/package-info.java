/**
 * Model health: per model version and processing-time window, the mean log-likelihood, the alert rate against the
 * target false-positive rate, and the Kolmogorov–Smirnov distance of the window's p-values from Uniform(0, 1), with
 * a drift flag; merged from per-micro-batch summaries of the scoring operator and written as {@code ModelHealth}.
 */
package io.impflow.job.health;
