/** Per-sample Newton solver for the implicit equations u + g(u) = y of the flow blocks. */
package io.impflow.model.solver;
