package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceOptionTest {

  @Test
  void autoOnThisGpuLessHostPicksTheCpuAndSaysWhy() throws Exception {
    int gpus = DeviceOption.usableGpuCount();
    assertThat(gpus).as("this host has no GPU (RULES.md)").isZero();
    DeviceOption.DeviceChoice choice = DeviceOption.AUTO.resolve(gpus);
    assertThat(choice.device()).isEqualTo(Device.cpu());
    assertThat(choice.reason()).contains("auto").contains("no usable GPU").contains("CPU");
  }

  @Test
  void autoPicksTheGpuWhenOneIsReported() throws Exception {
    DeviceOption.DeviceChoice choice = DeviceOption.AUTO.resolve(2);
    assertThat(choice.device()).isEqualTo(Device.gpu(0));
    assertThat(choice.reason()).contains("2 GPU");
  }

  @Test
  void gpuWithoutGpuExplainsHowToGetOne() {
    assertThatThrownBy(() -> DeviceOption.GPU.resolve(0))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("./impflow build --gpu").hasMessageContaining("IMPFLOW_LIBTORCH");
  }
}
