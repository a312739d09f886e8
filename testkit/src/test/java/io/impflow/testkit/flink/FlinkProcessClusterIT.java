package io.impflow.testkit.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.testkit.process.ParentWatchdog;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-process cluster itself: JobManager and TaskManager JVMs come up, a jar uploaded over REST runs to the
 * end, a TaskManager killed with SIGKILL is gone and a replacement registers, and a cluster JVM halts once the JVM
 * that started it is gone.
 */
// A hang guard, not a speed test.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FlinkProcessClusterIT {

    @TempDir
    Path dir;

    @Test
    void runsAnUploadedJarAndReplacesAKilledTaskManager() throws Exception {
        try (FlinkProcessCluster cluster = FlinkProcessCluster.builder().taskManagers(1).slotsPerTaskManager(1)
                .start()) {
            FlinkRestClient rest = cluster.rest();
            assertThat(rest.taskManagerIds()).as(cluster.logHint()).containsExactly("taskmanager-1");
            assertThat(Files.readString(cluster.workDirectory().resolve("conf/config.yaml")))
                    .contains("taskmanager.numberOfTaskSlots: '1'");

            String jobId = rest.runJar(rest.uploadJar(jobJar()), SequenceJob.class.getName(), List.of("1000"));
            rest.awaitJobState(jobId, "FINISHED", Duration.ofSeconds(90));
            assertThat(Files.readString(cluster.logFile("taskmanager-1"))).contains("1000");

            assertThat(cluster.killTaskManager("taskmanager-1")).isEqualTo(137);
            assertThat(cluster.liveTaskManagers()).isEmpty();
            String replacement = cluster.startTaskManager();
            assertThat(replacement).isEqualTo("taskmanager-2");
            assertThat(cluster.liveTaskManagers()).containsExactly("taskmanager-2");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rest.taskManagerIds().contains("taskmanager-1")) {
                assertThat(System.nanoTime()).as("the JobManager drops the killed TaskManager; %s", cluster.logHint())
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(rest.taskManagerIds()).containsExactly("taskmanager-2");
        }
    }

    @Test
    void aClusterProcessHaltsWhenItsParentIsGone() throws Exception {
        String classpath = String.join(File.pathSeparator, location(FlinkProcessMain.class),
                location(BlockingMain.class));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, FlinkProcessMain.class.getName(), BlockingMain.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("watchdog.log").toFile()).start();
        try {
            assertThat(process.waitFor(1, TimeUnit.SECONDS)).as("alive while its parent holds the pipe").isFalse();
            // The parent's end of the stdin pipe closes exactly as it does when the parent JVM dies.
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.flush();
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("halted after its parent went").isTrue();
            assertThat(process.exitValue()).isEqualTo(ParentWatchdog.PARENT_GONE_STATUS);
        } finally {
            process.destroyForcibly();
        }
    }

    /** A job jar holding {@link SequenceJob}, as {@code mvn package} would build it. */
    private Path jobJar() throws Exception {
        Path jar = dir.resolve("sequence-job.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        String entry = SequenceJob.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(Path.of(location(SequenceJob.class)).resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
