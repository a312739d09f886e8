package io.impflow.bench.quality;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The machine and software a benchmark ran on, as a markdown table: CPU model and core count from
 * {@code /proc/cpuinfo}, the load average (other processes share small machines), Java, and the DJL, PyTorch,
 * Kafka and Flink versions.
 */
public final class MachineDescription {

  private MachineDescription() {}

  /** Name/value rows describing this machine; {@code parentPom} supplies the declared Flink version. */
  public static Map<String, String> describe(Path parentPom) {
    Map<String, String> rows = new LinkedHashMap<>();
    List<String> cpuinfo = readLines(Path.of("/proc/cpuinfo"));
    rows.put("CPU", firstValue(cpuinfo, "model name").orElse("unknown (no /proc/cpuinfo)")
        + firstValue(cpuinfo, "cpu MHz").map(mhz -> ", " + mhz + " MHz reported").orElse(""));
    long processors = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
    rows.put("Cores", processors + " in /proc/cpuinfo, " + Runtime.getRuntime().availableProcessors()
        + " available to the JVM");
    rows.put("Vector extensions", firstValue(cpuinfo, "flags").map(MachineDescription::vectorFlags).orElse("unknown"));
    rows.put("Load average when written (1/5/15 min)", readLines(Path.of("/proc/loadavg")).stream().findFirst()
        .map(l -> String.join(" / ", List.of(l.split(" ")).subList(0, 3))).orElse("unknown"));
    rows.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    rows.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    Engine engine = Engine.getInstance();
    rows.put("DJL", Engine.getDjlVersion() + ", engine " + engine.getEngineName() + " " + engine.getVersion()
        + " (CPU, " + System.getProperty("ai.djl.pytorch.num_threads", "default") + " intra-op thread(s))");
    rows.put("Kafka clients", AppInfoParser.getVersion());
    rows.put("Flink", pomProperty(parentPom, "flink.version").map(v -> v + " (declared in pom.xml)")
        .orElse("unknown"));
    return rows;
  }

  /** The rows as a two-column markdown table. */
  public static String markdown(Map<String, String> rows) {
    StringBuilder md = new StringBuilder("| | |\n|---|---|\n");
    rows.forEach((name, value) -> md.append("| ").append(name).append(" | ").append(value).append(" |\n"));
    return md.toString();
  }

  private static String vectorFlags(String flags) {
    List<String> vector = new ArrayList<>();
    for (String flag : flags.split("\\s+")) {
      if (flag.equals("fma") || flag.equals("avx") || flag.equals("avx2") || flag.equals("avx512f")) {
        vector.add(flag);
      }
    }
    return vector.isEmpty() ? "none of fma/avx/avx2/avx512f" : String.join(", ", vector);
  }

  private static java.util.Optional<String> firstValue(List<String> cpuinfo, String key) {
    return cpuinfo.stream().filter(l -> l.startsWith(key)).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim());
  }

  private static java.util.Optional<String> pomProperty(Path pom, String property) {
    Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(String.join("\n",
        readLines(pom)));
    return m.find() ? java.util.Optional.of(m.group(1).trim()) : java.util.Optional.empty();
  }

  private static List<String> readLines(Path path) {
    try {
      return Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }
}
