package io.impflow.bench.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.types.DataType;
import io.impflow.bench.quality.Stopwatch;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.Standardization;
import io.impflow.model.train.TrainableFlow;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.EpochStats;
import io.impflow.trainer.fit.FlowTrainer;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingConfig;
import io.impflow.trainer.fit.TrainingProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Optimizer steps per second of {@link FlowTrainer}'s loop (forward, implicit-gradient backward, Adam, spectral
 * normalization, EMA snapshot) for one architecture on one device: the number {@code trainer/GPU.md} compares between
 * a GPU and this project's CPU machine. Rows are the CSV's standardized rows, resampled with replacement so that one
 * epoch holds every timed step (no validation pass inside the timing). Architecture defaults are those of {@code train}
 * (2 hidden layers, sin activation, c = 0.97, Adam at 1e-3).
 *
 * <p>Usage: {@code TrainingStepRate CSV DEVICE(cpu|gpu) [hidden=128] [blocks=4] [batch=4096] [steps=12] [warmup=2]
 * [dtype=float32] [arch=impflow]}; prints one {@code key=value} line per result.
 */
public final class TrainingStepRate {

  private TrainingStepRate() {
  }

  /** Runs the measurement and prints the results. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: TrainingStepRate CSV cpu|gpu [hidden=H] [blocks=N] [batch=B]"
          + " [steps=S] [warmup=W] [dtype=float32|float64] [arch=impflow|resflow]");
    }
    Map<String, String> options = new java.util.HashMap<>(Map.of("hidden", "128", "blocks", "4", "batch", "4096",
        "steps", "12", "warmup", "2", "dtype", "float32", "arch", "impflow"));
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      if (kv.length != 2 || !options.containsKey(kv[0])) {
        throw new IllegalArgumentException("unknown option '" + args[i] + "'; known: " + options.keySet());
      }
      options.put(kv[0], kv[1]);
    }
    Device device = switch (args[1]) {
      case "cpu" -> Device.cpu();
      case "gpu" -> Device.gpu(0);
      default -> throw new IllegalArgumentException("device must be cpu or gpu, got '" + args[1] + "'");
    };
    int batch = Integer.parseInt(options.get("batch"));
    int steps = Integer.parseInt(options.get("steps"));
    int warmup = Integer.parseInt(options.get("warmup"));
    DataType dtype = DataType.valueOf(options.get("dtype").toUpperCase(Locale.ROOT));
    Dataset data = new CsvDataSource(Path.of(args[0]), new DataReadOptions(DataReadOptions.DEFAULT_LABEL_COLUMN,
        false, List.of(), 1, 0L, null, 0L, Map.of())).read();
    Standardization standardization = Standardization.fit(data.rows());
    Random random = new Random(1);
    double[][] train = new double[batch * (steps + warmup)][];
    for (int i = 0; i < train.length; i++) {
      train[i] = standardization.apply(data.rows()[random.nextInt(data.size())]);
    }
    double[][] validation = java.util.Arrays.copyOf(train, 8);
    FlowSpec spec = new FlowSpec(Architecture.valueOf(options.get("arch").toUpperCase(Locale.ROOT)),
        data.dimension(), Integer.parseInt(options.get("blocks")), Integer.parseInt(options.get("hidden")), 2,
        ActivationKind.SIN, 0.97);
    TrainingConfig config = new TrainingConfig(1, batch, 1e-3, 10, 0.99, 1, 1, dtype, steps + warmup,
        Double.POSITIVE_INFINITY, 0, 0);
    Engine engine = Engine.getInstance();
    Stopwatch[] timed = new Stopwatch[1];
    Stopwatch.Elapsed[] elapsed = new Stopwatch.Elapsed[1];
    TrainingProgress progress = new TrainingProgress() {
      @Override
      public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {
        if (step == warmup) {
          timed[0] = Stopwatch.start();
        } else if (step == warmup + steps) {
          elapsed[0] = timed[0].elapsed();
        }
      }

      @Override
      public void onEpoch(EpochStats stats, int epochs, boolean best) {
      }
    };
    try (TrainableFlow flow = TrainableFlow.create(spec, 1, device, dtype)) {
      new FlowTrainer(config, progress).train(flow, train, validation, new StopSignal());
      System.out.printf(Locale.ROOT, "engine=%s %s%ndjl_device=%s%ncuda=%s%ngpu_count=%d%n", engine.getEngineName(),
          engine.getVersion(), flow.device(), engine.hasCapability(StandardCapabilities.CUDA), engine.getGpuCount());
    }
    System.out.printf(Locale.ROOT, "config=%s d=%d hidden=%s blocks=%s batch=%d dtype=%s data=%s%n",
        spec.architecture(), data.dimension(), options.get("hidden"), options.get("blocks"), batch, dtype, args[0]);
    System.out.printf(Locale.ROOT, "timed_steps=%d wall_s=%.6f cpu_s_main_thread=%.6f steps_per_s=%.6f%n", steps,
        elapsed[0].wallSeconds(), elapsed[0].cpuSeconds(), steps / elapsed[0].wallSeconds());
  }
}
