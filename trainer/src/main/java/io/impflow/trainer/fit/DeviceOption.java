package io.impflow.trainer.fit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.Locale;

/** The {@code --device} choice: {@code auto} (GPU when DJL sees one, else CPU), {@code cpu} or {@code gpu}. */
public enum DeviceOption {
  /** GPU 0 when DJL's engine reports a GPU, else the CPU. */
  AUTO,
  /** Always the CPU. */
  CPU,
  /** GPU 0; an error when DJL reports no usable GPU. */
  GPU;

  /** How to get a GPU build of libtorch for DJL 0.36 (none is on Maven Central), for messages and help. */
  public static final String CUDA_HINT = "DJL 0.36 loads the CPU libtorch bundled on the classpath; for a GPU, run"
      + " ./impflow build --gpu (JavaCPP's CUDA libtorch 2.7.1 from Maven Central; cuBLAS, cuSPARSE, cuSOLVER and"
      + " cuDNN 9 from the host's CUDA 12 via IMPFLOW_CUDA_LIBS) or set IMPFLOW_LIBTORCH to a CUDA libtorch 2.7.1"
      + " lib folder (README, GPU training)";

  /**
   * GPUs the training engine can use: DJL's GPU count when the loaded libtorch was built with CUDA, else 0 (the CUDA
   * runtime may see GPUs that the bundled CPU libtorch cannot use).
   */
  public static int usableGpuCount() {
    Engine engine = Engine.getInstance();
    return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
  }

  /**
   * The device this option resolves to when DJL reports {@code gpuCount} GPUs.
   *
   * @throws DeviceUnavailableException for {@link #GPU} without a GPU
   */
  public DeviceChoice resolve(int gpuCount) throws DeviceUnavailableException {
    return switch (this) {
      case CPU -> new DeviceChoice(Device.cpu(), "--device cpu");
      case GPU -> {
        if (gpuCount < 1) {
          throw new DeviceUnavailableException("--device gpu, but DJL's PyTorch engine reports no usable GPU on this"
              + " host; use --device cpu or --device auto, or: " + CUDA_HINT);
        }
        yield new DeviceChoice(Device.gpu(0), "--device gpu (DJL reports " + gpuCount + " GPU(s))");
      }
      case AUTO -> gpuCount > 0
          ? new DeviceChoice(Device.gpu(0), "--device auto: DJL reports " + gpuCount + " GPU(s), using gpu(0)")
          : new DeviceChoice(Device.cpu(), "--device auto: DJL reports no usable GPU, using the CPU");
    };
  }

  /** The lower-case name used on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A resolved device and why it was chosen.
   *
   * @param device the DJL device to train on
   * @param reason one sentence for the log
   */
  public record DeviceChoice(Device device, String reason) {}
}
