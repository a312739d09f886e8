package io.impflow.testkit.process;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A daemon thread in a child JVM that halts it when its stdin closes: the test JVM holds the only write end of that
 * pipe, so end of stream (or a broken pipe) means the test JVM exited, even by {@code kill -9}, when its shutdown
 * hooks could not run.
 */
public final class ParentWatchdog {

    /** Exit status of a child JVM halted because the test JVM that started it has gone. */
    public static final int PARENT_GONE_STATUS = 3;

    private ParentWatchdog() {
    }

    /**
     * Starts the watchdog thread.
     *
     * @param what what this JVM is, for the message written to stderr before halting (e.g. "Flink process")
     */
    public static void start(String what) {
        Thread watchdog = new Thread(() -> haltWhenStdinCloses(what), "impflow-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void haltWhenStdinCloses(String what) {
        try {
            System.in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            System.err.println("impflow testkit: reading stdin failed (" + e + "); taking it as the parent's exit");
        }
        System.err.println("impflow testkit: the test JVM that started this " + what + " is gone; halting");
        Runtime.getRuntime().halt(PARENT_GONE_STATUS);
    }
}
