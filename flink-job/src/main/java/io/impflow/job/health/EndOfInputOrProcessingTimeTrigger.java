package io.impflow.job.health;

import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires a processing-time window when the clock passes its end, like Flink's {@code ProcessingTimeTrigger}, and also
 * at the end of a bounded input: the final watermark (Long.MAX_VALUE, which every bounded source emits when it
 * finishes, also with {@code noWatermarks()}) fires the window that is still open, so a {@code --bounded} replay
 * writes its last, partial window instead of losing it when the job finishes before the clock reaches the end.
 */
public final class EndOfInputOrProcessingTimeTrigger extends Trigger<Object, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private static final long END_OF_INPUT = Long.MAX_VALUE;

  @Override
  public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    ctx.registerEventTimeTimer(END_OF_INPUT);
    return TriggerResult.CONTINUE;
  }

  @Override
  public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
    return TriggerResult.FIRE;
  }

  /** Only the final watermark reaches this (the job's sources emit no other): fire and drop the open window. */
  @Override
  public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
    return time == END_OF_INPUT ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE;
  }

  @Override
  public void clear(TimeWindow window, TriggerContext ctx) {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
    ctx.deleteEventTimeTimer(END_OF_INPUT);
  }

  @Override
  public String toString() {
    return "EndOfInputOrProcessingTimeTrigger()";
  }
}
