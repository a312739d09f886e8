package io.impflow.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, item 1: DJL's pytorch-jni 2.7.1 runs on JavaCPP's libtorch 2.7.1 build from Maven Central
 * ({@code org.bytedeco:pytorch:2.7.1-1.5.12}, CPU) in place of DJL's bundled {@code pytorch-native-cpu}, and computes
 * the same: float64 exact scores within 1e-12 (before and after three float64 training steps) and the float32
 * gradients of one training step within 1e-6 relative (per parameter tensor, in the 2-norm), for an ImpFlow and a
 * ResFlow.
 *
 * <p>Runs only in the {@code bytedeco-libtorch} Maven profile (it downloads about 100 MB:
 * {@code ./mvnw -B -pl model -am verify -Pbytedeco-libtorch}), which unpacks the JavaCPP libraries into the directory
 * named by the system property {@code impflow.libtorch.dir}. Each libtorch gets its own child JVM (one libtorch per
 * process); the bytedeco run has {@code pytorch-native-cpu} removed from its classpath, so nothing else could load.
 */
class BytedecoLibtorchCheck {

    @Test
    void bytedecoLibtorchComputesWhatTheBundledOneComputes(@TempDir Path work) throws Exception {
        Path bytedecoDir = Path.of(System.getProperty("impflow.libtorch.dir",
                "set -Dimpflow.libtorch.dir (the bytedeco-libtorch profile does)")).toAbsolutePath();
        assertThat(bytedecoDir.resolve("libtorch.so")).as("the profile's unpacked JavaCPP libtorch").isRegularFile();
        String classpath = System.getProperty("java.class.path");
        String withoutBundledNative = Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.contains("pytorch-native-cpu"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(withoutBundledNative).isNotEqualTo(classpath);

        Fingerprint bundled = run(work, "bundled", classpath, Map.of());
        Fingerprint bytedeco = run(work, "bytedeco", withoutBundledNative, Map.of(
                "PYTORCH_LIBRARY_PATH", bytedecoDir.toString(),
                // DJL's LibUtils defaults an overridden libtorch to the "cpu-precxx11" JNI, which pytorch-jni 2.7.1
                // does not ship; JavaCPP's build uses the C++11 ABI like DJL's "cpu" JNI.
                "PYTORCH_FLAVOR", "cpu",
                "LD_LIBRARY_PATH", bytedecoDir.toString()));

        assertThat(bytedeco.loaded).as("libtorch mapped into the bytedeco run")
                .isNotEmpty().allMatch(path -> path.startsWith(bytedecoDir.toString()));
        assertThat(bundled.loaded).as("libtorch mapped into the bundled run")
                .isNotEmpty().noneMatch(path -> path.startsWith(bytedecoDir.toString()));
        assertThat(bytedeco.values.keySet()).isEqualTo(bundled.values.keySet());

        double largestScoreDifference = 0;
        int scores = 0;
        Map<String, double[]> gradientNorms = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : bundled.values.entrySet()) {
            double expected = e.getValue();
            double actual = bytedeco.values.get(e.getKey());
            assertThat(Double.isFinite(expected)).as("%s is finite", e.getKey()).isTrue();
            if (e.getKey().contains(".score.")) {
                assertThat(Math.abs(actual - expected)).as("%s: bytedeco %s, bundled %s", e.getKey(), actual, expected)
                        .isLessThanOrEqualTo(1e-12);
                largestScoreDifference = Math.max(largestScoreDifference, Math.abs(actual - expected));
                scores++;
            } else {
                // per parameter tensor: squared norms of the difference and of the bundled gradient
                double[] sums = gradientNorms.computeIfAbsent(e.getKey().substring(0, e.getKey().indexOf('[')),
                        k -> new double[2]);
                sums[0] += (actual - expected) * (actual - expected);
                sums[1] += expected * expected;
            }
        }
        assertThat(scores).as("scores compared").isEqualTo(2 * 2 * 48);
        assertThat(gradientNorms).as("parameter tensors compared").hasSizeGreaterThan(20);
        double largestRelativeGradientDifference = 0;
        for (Map.Entry<String, double[]> e : gradientNorms.entrySet()) {
            // ||g_bytedeco - g_bundled|| / ||g_bundled|| per tensor: single elements that are sums with
            // cancellation differ by a few float32 ulps of the larger terms, a relative 1e-6 of themselves or more
            double relative = Math.sqrt(e.getValue()[0]) / Math.sqrt(e.getValue()[1]);
            assertThat(relative).as("%s: relative difference of the float32 gradient", e.getKey())
                    .isLessThanOrEqualTo(1e-6);
            largestRelativeGradientDifference = Math.max(largestRelativeGradientDifference, relative);
        }
        System.out.printf("bytedeco vs bundled libtorch: %d float64 scores, largest |difference| %.3g; %d float32"
                + " gradient tensors, largest relative difference %.3g%n", scores, largestScoreDifference,
                gradientNorms.size(), largestRelativeGradientDifference);
    }

    private record Fingerprint(List<String> loaded, Map<String, Double> values) {
    }

    private static Fingerprint run(Path work, String name, String classpath, Map<String, String> env)
            throws IOException, InterruptedException {
        Path out = work.resolve(name + ".tsv");
        Path log = work.resolve(name + ".log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-DENGINE_CACHE_DIR=" + work.resolve(name + "-cache"),
                "-cp", classpath, LibtorchFingerprint.class.getName(), out.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(name + " run did not finish in 5 minutes; log:\n" + Files.readString(log));
        }
        assertThat(process.exitValue()).as("%s run exit status; log:%n%s", name, Files.readString(log)).isZero();
        List<String> loaded = new ArrayList<>();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            String[] f = line.split("\t");
            if (f[0].equals("loaded")) {
                loaded.add(f[1]);
            } else if (f.length == 3) {
                values.put(f[0] + "[" + f[1] + "]", Double.parseDouble(f[2]));
            }
        }
        return new Fingerprint(loaded, values);
    }
}
