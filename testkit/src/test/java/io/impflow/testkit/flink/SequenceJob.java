package io.impflow.testkit.flink;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A bounded job for the cluster's own test: counts to the number given as its only argument, then finishes. */
public final class SequenceJob {

    private SequenceJob() {
    }

    /**
     * Submits the job to the cluster the program runs on.
     *
     * @param args the last number of the sequence
     * @throws Exception if the job fails
     */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(1, Long.parseLong(args[0])).print();
        env.execute("impflow testkit sequence job");
    }
}
