package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import io.impflow.model.solver.SolverSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks applied in sequence: log-determinants add up, the residual is the per-row maximum over blocks,
 * iterations add up, and a row converged only if it converged in every block. The inverse runs the blocks
 * backwards.
 */
public final class CompositeBlock implements Block {
    private final List<Block> blocks;

    /** @param blocks blocks in forward order */
    public CompositeBlock(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** The blocks in forward order. */
    public List<Block> blocks() {
        return blocks;
    }

    @Override
    public BlockOutput forward(NDArray x, SolverSettings settings) {
        return cascade(blocks, x, settings, true);
    }

    @Override
    public BlockOutput inverse(NDArray z, SolverSettings settings) {
        List<Block> reversed = new ArrayList<>(blocks);
        java.util.Collections.reverse(reversed);
        return cascade(reversed, z, settings, false);
    }

    private static BlockOutput cascade(List<Block> order, NDArray input, SolverSettings settings, boolean forward) {
        int n = Math.toIntExact(input.getShape().get(0));
        double[] logDet = new double[n];
        double[] residual = new double[n];
        int[] iterations = new int[n];
        boolean[] converged = new boolean[n];
        java.util.Arrays.fill(converged, true);
        NDArray current = input;
        for (Block block : order) {
            BlockOutput out = forward ? block.forward(current, settings) : block.inverse(current, settings);
            for (int i = 0; i < n; i++) {
                logDet[i] += out.logDet()[i];
                residual[i] = Math.max(residual[i], out.residual()[i]);
                if (Double.isNaN(out.residual()[i])) {
                    residual[i] = Double.NaN;
                }
                iterations[i] += out.iterations()[i];
                converged[i] &= out.converged()[i];
            }
            current = out.output();
        }
        return new BlockOutput(current, logDet, residual, iterations, converged);
    }
}
