package dev.rsm.app.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of {@code rsm.metrics} (see the app's reference.conf and docs/observability.md).
 *
 * @param enabled whether the node records metrics and serves them at {@code /metrics}
 * @param histograms whether latency timers publish percentile histogram buckets (for SLOs and
 *     quantiles across nodes) besides their count, sum and max
 * @param otlp whether metrics are also pushed to an OpenTelemetry collector
 * @param otlpUrl the collector's OTLP/HTTP metrics endpoint
 * @param otlpStep how often they are pushed (and the window of each pushed value)
 */
public record MetricsSettings(boolean enabled, boolean histograms, boolean otlp, String otlpUrl, Duration otlpStep) {

  public static MetricsSettings fromConfig(Config config) {
    Config c = config.getConfig("rsm.metrics");
    return new MetricsSettings(c.getBoolean("enabled"), c.getBoolean("histograms"),
        c.getBoolean("otlp.enabled"), c.getString("otlp.url"), c.getDuration("otlp.step"));
  }
}
