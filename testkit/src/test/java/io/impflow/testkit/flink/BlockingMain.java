package io.impflow.testkit.flink;

/** Stands in for a Flink entrypoint in the watchdog test: a main that never returns by itself. */
public final class BlockingMain {

    private BlockingMain() {
    }

    /**
     * Sleeps until the process is halted.
     *
     * @param args ignored
     * @throws InterruptedException never in practice
     */
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
