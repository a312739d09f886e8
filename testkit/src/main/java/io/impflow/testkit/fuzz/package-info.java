/**
 * Plain-Java building blocks for the decoder fuzz tests: a seeded property harness ({@link
 * io.impflow.testkit.fuzz.Fuzz#forAll}), byte mutations of valid encodings, hostile length fields, and a per-thread
 * allocation meter.
 */
package io.impflow.testkit.fuzz;
