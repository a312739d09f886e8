package io.impflow.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Entry point of the broker JVM that {@link KafkaProcessCluster} starts: runs {@code kafka.Kafka} and halts the
 * broker as soon as the test JVM that started it is gone, so that no broker outlives its tests.
 */
public final class BrokerProcessMain {

    /** Exit status when the broker halts because the test JVM that started it has gone. */
    public static final int PARENT_GONE_STATUS = 3;

    private BrokerProcessMain() {
    }

    /**
     * Starts the broker.
     *
     * @param args the arguments of {@code kafka.Kafka}: the path of {@code server.properties}
     * @throws Exception if {@code kafka.Kafka} cannot be found or fails to start
     */
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(BrokerProcessMain::haltWhenStdinCloses, "impflow-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * The test JVM holds the only write end of this process's stdin; end of stream means it exited, even by
     * {@code kill -9}, when its own shutdown hook could not run.
     */
    private static void haltWhenStdinCloses() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // Nothing is ever written; reading only waits for end of stream.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end of stream: the parent is gone.
        }
        System.err.println("impflow testkit: the test JVM that started this broker is gone; halting the broker");
        Runtime.getRuntime().halt(PARENT_GONE_STATUS);
    }
}
