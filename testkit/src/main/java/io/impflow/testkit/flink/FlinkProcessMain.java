package io.impflow.testkit.flink;

import io.impflow.testkit.process.ParentWatchdog;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Entry point of every JVM that {@link FlinkProcessCluster} starts: runs a Flink entrypoint's {@code main} and halts
 * the JVM as soon as the test JVM that started it is gone, so that no JobManager or TaskManager outlives its tests.
 */
public final class FlinkProcessMain {

    private FlinkProcessMain() {
    }

    /**
     * Starts the parent watchdog, then the Flink entrypoint.
     *
     * @param args the entrypoint's class name, then its own arguments
     * @throws Exception if the entrypoint cannot be found or its {@code main} fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: FlinkProcessMain <entrypoint class> [entrypoint arguments...]");
            System.exit(2);
        }
        ParentWatchdog.start("Flink process");
        String[] entrypointArgs = Arrays.copyOfRange(args, 1, args.length);
        try {
            Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) entrypointArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
