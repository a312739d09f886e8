package io.impflow.testkit.process;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM (or any command) started by a test harness, its stdout and stderr appended to a log file and its stdin a
 * pipe from the test JVM, so that a {@link ParentWatchdog} in it can halt it when the test JVM is gone.
 */
public final class ChildJvm {

    private final String name;
    private final Process process;
    private final Path log;
    private final ProcessFailure failure;

    private ChildJvm(String name, Process process, Path log, ProcessFailure failure) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.failure = failure;
    }

    /**
     * Returns the {@code java} binary of the running JVM, which every child JVM uses.
     *
     * @return the absolute path of {@code bin/java} under {@code java.home}
     */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts a command in {@code directory}, appending its stdout and stderr to {@code log}.
     *
     * @param name        what the process is, for messages (e.g. "the JobManager")
     * @param command     the command and its arguments
     * @param directory   the working directory
     * @param log         the file that receives stdout and stderr; appended to, so a restart keeps earlier output
     * @param environment variables added to the test JVM's environment
     * @param failure     makes the exception thrown when the process cannot be started or stopped
     * @return the started process
     */
    public static ChildJvm start(String name, List<String> command, Path directory, Path log,
            Map<String, String> environment, ProcessFailure failure) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            return new ChildJvm(name, builder.start(), log, failure);
        } catch (IOException e) {
            throw failure.create("Could not start " + name + " with " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the operating-system process.
     *
     * @return the process
     */
    public Process process() {
        return process;
    }

    /**
     * Returns the file that receives the process's stdout and stderr.
     *
     * @return the log file
     */
    public Path log() {
        return log;
    }

    /** Sends SIGKILL without waiting. */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Waits up to {@code timeout} for the process to exit, then sends SIGKILL and waits as long again.
     *
     * @param timeout how long to wait before, and again after, SIGKILL
     * @return the exit status
     * @throws RuntimeException from the {@link ProcessFailure} if the process survives SIGKILL or the wait is
     *                          interrupted (the process is then killed and the interrupt flag set again)
     */
    public int awaitExit(Duration timeout) {
        try {
            return waitOrKill(timeout);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw failure.create("Interrupted while waiting for " + name + " to exit", e);
        }
    }

    /**
     * Sends SIGTERM, which also closes the process's stdin (the order to halt for a {@link ParentWatchdog}), waits
     * up to {@code timeout}, then sends SIGKILL and waits as long again. An interrupted wait kills the process and
     * sets the interrupt flag again without throwing.
     *
     * @param timeout how long to wait before, and again after, SIGKILL
     * @throws RuntimeException from the {@link ProcessFailure} if the process survives SIGKILL
     */
    public void stop(Duration timeout) {
        process.destroy();
        try {
            waitOrKill(timeout);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private int waitOrKill(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure.create(name + " (pid " + process.pid() + ") did not exit after SIGKILL; kill it by"
                        + " hand. Log: " + log, null);
            }
        }
        return process.exitValue();
    }
}
