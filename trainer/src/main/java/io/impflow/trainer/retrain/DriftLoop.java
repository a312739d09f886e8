package io.impflow.trainer.retrain;

import io.impflow.schemas.avro.ModelHealth;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code retrain --on-drift}: reads the job's health records and runs a retrain when {@link DriftTrigger} says so; a
 * failed retrain is logged and the loop goes on (the serving model is unchanged).
 */
public final class DriftLoop {
  private static final Logger LOG = LoggerFactory.getLogger(DriftLoop.class);
  private static final Duration POLL = Duration.ofSeconds(1);

  private DriftLoop() {}

  /**
   * Polls {@code watch} while {@code running} says so, handing every decision to {@code onDecision}.
   *
   * @return the number of retrains started
   */
  public static int run(Retrainer retrainer, HealthTopicWatch watch, DriftTrigger trigger, BooleanSupplier running,
      Consumer<RetrainDecision> onDecision) {
    int retrains = 0;
    while (running.getAsBoolean()) {
      for (ModelHealth health : watch.poll(POLL)) {
        String serving;
        try {
          serving = retrainer.servingVersion();
        } catch (Exception e) {
          LOG.error("cannot read the serving version from the store: {}", e.getMessage(), e);
          continue;
        }
        if (!trigger.shouldRetrain(health, serving)) {
          continue;
        }
        LOG.info("drift reported for model {} (window {} .. {}, uniformity distance {} > {}): retraining",
            health.getModelVersion(), health.getWindowStart(), health.getWindowEnd(),
            health.getUniformityStatistic(), health.getDriftThreshold());
        retrains++;
        try {
          onDecision.accept(retrainer.runOnce());
        } catch (Exception e) {
          LOG.error("retrain after drift of {} failed, the serving model is unchanged: {}", serving, e.getMessage(),
              e);
        }
      }
    }
    return retrains;
  }
}
