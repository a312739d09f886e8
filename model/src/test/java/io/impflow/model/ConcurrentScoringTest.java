package io.impflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, test 7: four threads scoring with one model get exactly what one thread gets. */
class ConcurrentScoringTest {
    private static final int BATCHES = 12;
    private static final int THREADS = 4;

    @TempDir
    Path temp;

    @Test
    void fourThreadsScoreBitForBitLikeOne() throws Exception {
        Path dir;
        try (TrainableFlow flow = RandomFlows.create(Architecture.IMPFLOW, 5, 3, 16, 2, ActivationKind.LIPSWISH, 0.95, 51)) {
            dir = RandomFlows.writeArtifact(flow, temp.resolve("model"), null);
        }
        Random random = new Random(9);
        double[][][] batches = new double[BATCHES][][];
        for (int b = 0; b < BATCHES; b++) {
            batches[b] = new double[16 + b][5];
            for (double[] row : batches[b]) {
                for (int j = 0; j < 5; j++) {
                    row[j] = 10.0 * (j + 1) - 3 + (0.5 + 0.75 * j) * 2 * random.nextGaussian();
                }
            }
        }
        try (DensityModel model = DensityModel.load(dir)) {
            BatchScores[] single = new BatchScores[BATCHES];
            for (int b = 0; b < BATCHES; b++) {
                single[b] = model.score(batches[b]);
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<BatchScores[]>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        BatchScores[] out = new BatchScores[BATCHES];
                        for (int k = 0; k < BATCHES; k++) {
                            int b = (k + offset * 3) % BATCHES;
                            out[b] = model.score(batches[b]);
                        }
                        return out;
                    }));
                }
                for (Future<BatchScores[]> f : futures) {
                    BatchScores[] concurrent = f.get();
                    for (int b = 0; b < BATCHES; b++) {
                        assertThat(concurrent[b].logLikelihood()).isEqualTo(single[b].logLikelihood());
                        assertThat(concurrent[b].residual()).isEqualTo(single[b].residual());
                        assertThat(concurrent[b].iterations()).isEqualTo(single[b].iterations());
                        assertThat(concurrent[b].status()).isEqualTo(single[b].status());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(single[0].status()).containsOnly(io.impflow.model.scoring.RowStatus.SCORED);
        }
    }
}
