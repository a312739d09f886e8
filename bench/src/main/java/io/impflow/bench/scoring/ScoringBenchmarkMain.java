package io.impflow.bench.scoring;

import io.impflow.bench.quality.Float64FmaPeak;
import io.impflow.model.DensityModel;
import io.impflow.model.scoring.BatchScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ScoringThroughputBenchmark} and prints a markdown table of rows/s and the achieved GFLOP/s estimate
 * (multiply-adds counted by {@link ReferenceModel#multiplyAddsPerRow}, Newton iterations measured on the same rows),
 * next to this machine's one-core float64 GEMM rate. Because a shared machine inflates wall time, it also reports
 * rows per CPU-second of the scoring thread (median of repeated calls; with one PyTorch thread all native work runs
 * on the calling thread), which contention distorts far less.
 */
public final class ScoringBenchmarkMain {

    private ScoringBenchmarkMain() {
    }

    /**
     * @param args optional JMH include regex (default: the scoring benchmark), then optional parameter restrictions
     *     {@code name=v1,v2} (e.g. {@code dimension=9 batch=256}) to run only those configurations
     */
    public static void main(String[] args) throws Exception {
        String include = args.length > 0 ? args[0] : ScoringThroughputBenchmark.class.getSimpleName();
        ChainedOptionsBuilder options = new OptionsBuilder().include(include);
        for (int i = 1; i < args.length; i++) {
            String[] nameAndValues = args[i].split("=", 2);
            if (nameAndValues.length != 2 || nameAndValues[1].isEmpty()) {
                throw new IllegalArgumentException("argument " + (i + 1) + " must be name=value[,value...] (e.g."
                        + " batch=256), got '" + args[i] + "'");
            }
            options.param(nameAndValues[0], nameAndValues[1].split(","));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Float64FmaPeak.Measurement peak = Float64FmaPeak.measure();
        StringBuilder table = new StringBuilder();
        table.append("| d | batch | rows/s wall, JMH (99.9% CI) | rows per CPU-second | Newton iterations/row"
                + " | GFLOP/s (est., CPU time) |\n");
        table.append("|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            int d = Integer.parseInt(r.getParams().getParam("dimension"));
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            double opsPerSecond = r.getPrimaryResult().getScore();
            double[] ci = r.getPrimaryResult().getScoreConfidence();
            CpuMeasurement cpu = measureCpu(d, batch);
            double gflops = 2 * ReferenceModel.multiplyAddsPerRow(d, cpu.iterationsPerRow()) * cpu.rowsPerCpuSecond()
                    / 1e9;
            table.append(String.format(Locale.ROOT, "| %d | %d | %,.0f (%,.0f – %,.0f) | %,.0f | %.1f | %.2f |%n", d,
                    batch, opsPerSecond * batch, Math.max(0, ci[0]) * batch, ci[1] * batch, cpu.rowsPerCpuSecond(),
                    cpu.iterationsPerRow(), gflops));
        }
        System.out.println();
        System.out.print(table);
        System.out.println("One-core float64 GEMM on this machine: " + peak.describe());
    }

    private record CpuMeasurement(double rowsPerCpuSecond, double iterationsPerRow) {
    }

    /** Median thread-CPU time of scoring one batch after warm-up (≥ 3 s), and Newton iterations per row. */
    private static CpuMeasurement measureCpu(int d, int batch) throws Exception {
        Path dir = Files.createTempDirectory("impflow-bench-cpu-");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (DensityModel model = ReferenceModel.load(d, dir.resolve("model"))) {
            double[][] rows = ReferenceModel.rows(batch, d, 7);
            int calls = Math.max(30, Math.min(200, 8192 / batch));
            // Warm up for at least 3 s of scoring as well: the solver's host-side loops must be JIT-compiled first.
            long warmUpEnd = System.nanoTime() + 3_000_000_000L;
            for (int i = 0; i < calls || System.nanoTime() < warmUpEnd; i++) {
                model.score(rows);
            }
            long[] cpu = new long[calls];
            BatchScores last = null;
            for (int i = 0; i < calls; i++) {
                long start = threads.getCurrentThreadCpuTime();
                last = model.score(rows);
                cpu[i] = threads.getCurrentThreadCpuTime() - start;
            }
            java.util.Arrays.sort(cpu);
            double iterations = 0;
            for (int it : last.iterations()) {
                iterations += it;
            }
            return new CpuMeasurement(batch / (cpu[calls / 2] / 1e9), iterations / batch);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
