package io.impflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.impflow.model.artifact.LoadedArtifact;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.BlockOutput;
import io.impflow.model.flow.Flow;
import io.impflow.model.flow.Standardization;
import io.impflow.model.solver.SolverSettings;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 3, test 5: samples drawn in raw space map back to latents that pass a normality test. */
class SamplingTest {
    private static final int N = 2000;

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void samplesMapBackToStandardNormalLatents(Architecture architecture) throws Exception {
        Path dir;
        try (TrainableFlow flow = RandomFlows.create(architecture, 3, 3, 16, 2, ActivationKind.LIPSWISH, 0.95, 41)) {
            dir = RandomFlows.writeArtifact(flow, temp.resolve("model"), null);
        }
        double[][] samples;
        try (DensityModel model = DensityModel.load(dir)) {
            samples = model.sample(N, 123);
            assertThat(model.score(samples).status()).containsOnly(io.impflow.model.scoring.RowStatus.SCORED);
        }
        LoadedArtifact artifact = ModelArtifact.read(dir);
        Standardization standardization = artifact.manifest().standardization();
        double[][] standardized = new double[N][];
        for (int i = 0; i < N; i++) {
            standardized[i] = standardization.apply(samples[i]);
        }
        double[][] z = new double[3][N];
        try (NDManager manager = Engine.getInstance().newBaseManager()) {
            Flow flow = Flow.create(artifact.manifest().spec(), artifact.weights(), manager);
            BlockOutput out = flow.blocks().forward(manager.create(standardized), SolverSettings.DEFAULT);
            double[] flat = out.output().toDoubleArray();
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < 3; j++) {
                    z[j][i] = flat[i * 3 + j];
                }
            }
        }
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        NormalDistribution normal = new NormalDistribution(null, 0, 1);
        double[][] byColumn = new double[N][3];
        for (int j = 0; j < 3; j++) {
            assertThat(ks.kolmogorovSmirnovTest(normal, z[j])).as("KS p-value of latent %d", j).isGreaterThan(1e-3);
            // The raw samples themselves are far from standard normal (means ~7..27): the flow did the work.
            double[] raw = new double[N];
            for (int i = 0; i < N; i++) {
                raw[i] = samples[i][j];
                byColumn[i][j] = z[j][i];
            }
            assertThat(ks.kolmogorovSmirnovTest(normal, raw)).isLessThan(1e-6);
        }
        double[][] correlation = new PearsonsCorrelation(byColumn).getCorrelationMatrix().getData();
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                assertThat(Math.abs(correlation[a][b])).as("latent correlation %d-%d", a, b).isLessThan(0.1);
            }
        }
    }
}
