package io.impflow.testkit.kafka;

import io.impflow.testkit.process.ParentWatchdog;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the broker JVM that {@link KafkaProcessCluster} starts: formats the KRaft storage (unless a restart
 * finds it formatted), runs {@code kafka.Kafka}, and halts the broker as soon as the test JVM that started it is
 * gone, so that no broker outlives its tests.
 */
public final class BrokerProcessMain {

    /** Exit status when {@code kafka.tools.StorageTool format} fails; its reason precedes it in the log. */
    public static final int FORMAT_FAILED_STATUS = 4;

    private BrokerProcessMain() {
    }

    /**
     * Formats the storage and starts the broker.
     *
     * @param args the cluster id, the path of {@code server.properties}, then extra {@code format} arguments (e.g.
     *             {@code --add-scram} users)
     * @throws Exception if the Kafka classes cannot be found or the broker fails to start
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BrokerProcessMain <cluster-id> <server.properties> [format arguments]");
            System.exit(2);
        }
        ParentWatchdog.start("broker");

        // Formatting in this JVM rather than a separate StorageTool JVM saves a JVM start (~2 s) per broker. A restart
        // on the same log directories finds them formatted with the same cluster id and keeps them as they are.
        List<String> format = new ArrayList<>(List.of("format", "-t", args[0], "-c", args[1], "--ignore-formatted"));
        format.addAll(Arrays.asList(args).subList(2, args.length));
        int formatStatus = (Integer) invokeStatic("kafka.tools.StorageTool", "execute",
                new Class<?>[] {String[].class, PrintStream.class}, format.toArray(String[]::new), System.out);
        if (formatStatus != 0) {
            System.err.println("impflow testkit: kafka.tools.StorageTool format -c " + args[1] + " exited with status "
                    + formatStatus);
            System.exit(FORMAT_FAILED_STATUS);
        }
        invokeStatic("kafka.Kafka", "main", new Class<?>[] {String[].class}, (Object) new String[] {args[1]});
    }

    private static Object invokeStatic(String className, String method, Class<?>[] types, Object... args)
            throws Exception {
        try {
            return Class.forName(className).getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
