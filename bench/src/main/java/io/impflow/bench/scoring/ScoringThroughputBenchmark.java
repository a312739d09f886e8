package io.impflow.bench.scoring;

import io.impflow.model.DensityModel;
import io.impflow.model.scoring.BatchScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Exact scoring throughput of {@link DensityModel#score} for the reference ImpFlow model on one core: one JMH
 * operation scores one batch, so rows/s = ops/s × batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ScoringThroughputBenchmark {

    /** Number of features d. */
    @Param({"9", "36"})
    public int dimension;

    /** Rows per scoring call. */
    @Param({"1", "64", "256", "1024"})
    public int batch;

    private Path dir;
    private DensityModel model;
    private double[][] rows;

    /** Writes and loads the reference model and draws the batch. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("impflow-bench-");
        model = ReferenceModel.load(dimension, dir.resolve("model"));
        rows = ReferenceModel.rows(batch, dimension, 7);
    }

    /** Frees the model and deletes its artifact. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        model.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Scores one batch. */
    @Benchmark
    public BatchScores score() {
        return model.score(rows);
    }
}
