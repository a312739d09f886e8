package io.impflow.testkit.process;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A JVM shutdown hook that kills a harness's child processes when the test JVM exits without closing the harness;
 * removing it is also how the harness's {@code close()} learns whether it already ran.
 */
public final class ExitHook {

    private final Thread thread;
    private final AtomicBoolean removed = new AtomicBoolean();

    private ExitHook(Thread thread) {
        this.thread = thread;
    }

    /**
     * Registers {@code action} to run when the JVM shuts down.
     *
     * @param threadName the hook thread's name, naming what it stops
     * @param action     what to run, e.g. SIGKILL to the child processes
     * @return the registered hook
     */
    public static ExitHook install(String threadName, Runnable action) {
        Thread thread = new Thread(action, threadName);
        Runtime.getRuntime().addShutdownHook(thread);
        return new ExitHook(thread);
    }

    /**
     * Removes the hook; when the JVM is already shutting down the hook stays and runs by itself.
     *
     * @return {@code true} on the first call only, so that a harness closes once
     */
    public boolean remove() {
        if (!removed.compareAndSet(false, true)) {
            return false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook runs by itself.
        }
        return true;
    }
}
