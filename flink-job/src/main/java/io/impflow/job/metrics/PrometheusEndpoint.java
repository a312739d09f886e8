package io.impflow.job.metrics;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;

/**
 * The {@code --metrics-port} endpoint: Flink's Prometheus reporter ({@code flink-metrics-prometheus}) configured in
 * the embedded MiniCluster's configuration, so every metric of the job (and Flink's own) is served in the Prometheus
 * text format at {@code http://HOST:PORT/metrics}.
 */
public final class PrometheusEndpoint {
  /** The reporter's name in the configuration keys ({@code metrics.reporter.prom.*}). */
  public static final String REPORTER = "prom";
  private static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

  private PrometheusEndpoint() {}

  /** Adds the Prometheus reporter on {@code port} to a MiniCluster configuration. */
  public static void configure(Configuration configuration, int port) {
    Configuration reporter = MetricOptions.forReporter(configuration, REPORTER);
    reporter.set(MetricOptions.REPORTER_FACTORY_CLASS, FACTORY);
    reporter.set(ConfigOptions.key("port").stringType().noDefaultValue(), Integer.toString(port));
  }
}
