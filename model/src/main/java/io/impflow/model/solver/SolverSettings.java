package io.impflow.model.solver;

/**
 * Stopping rules of the Newton solver.
 *
 * @param tolerance a row converged when ‖u + g(u) − y‖₂ ≤ tolerance · max(1, ‖y‖₂)
 * @param maxIterations hard cap on Newton iterations per solve
 * @param maxHalvings cap on step halvings of the backtracking line search per iteration
 */
public record SolverSettings(double tolerance, int maxIterations, int maxHalvings) {

    /** Scoring default: 1e-10 relative, 60 iterations, 30 halvings. */
    public static final SolverSettings DEFAULT = new SolverSettings(1e-10, 60, 30);

    /** Validates the fields. */
    public SolverSettings {
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("solver tolerance must be in (0, 1), got " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("solver maxIterations must be >= 1, got " + maxIterations);
        }
        if (maxHalvings < 0) {
            throw new IllegalArgumentException("solver maxHalvings must be >= 0, got " + maxHalvings);
        }
    }
}
