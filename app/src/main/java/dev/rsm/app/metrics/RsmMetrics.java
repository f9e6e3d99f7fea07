package dev.rsm.app.metrics;

import dev.rsm.app.http.IngressTimer;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The metrics of one node (one ActorSystem): a Prometheus registry, scraped at {@code /metrics} on
 * the management port ({@link MetricsRoutes}), and with {@code rsm.metrics.otlp.enabled} an OTLP
 * registry that pushes the same meters to an OpenTelemetry collector. Every node has its own
 * registries, so several nodes in one JVM (tests) never mix their figures. The registries are
 * closed when the ActorSystem terminates (the OTLP registry pushes a last time then).
 *
 * <p>With {@code rsm.metrics.enabled = off} nothing is recorded: {@link #observe} hands back the
 * observer it is given, {@link #ingress} times nothing, and {@code /metrics} answers 404.
 */
public final class RsmMetrics implements Extension {
  private static final ExtensionId<RsmMetrics> ID = new ExtensionId<>() {
    @Override
    public RsmMetrics createExtension(ActorSystem<?> system) {
      return new RsmMetrics(system, MetricsSettings.fromConfig(system.settings().config()));
    }
  };

  private final MetricsSettings settings;
  private final PrometheusMeterRegistry prometheus; // null when disabled
  private final MeterRegistry registry; // what meters are registered in: prometheus, or both
  private final IngressTimer ingress;

  private RsmMetrics(ActorSystem<?> system, MetricsSettings settings) {
    this.settings = settings;
    if (!settings.enabled()) {
      prometheus = null;
      registry = null;
      ingress = IngressTimer.NONE;
      return;
    }
    prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OtlpMeterRegistry otlp = settings.otlp() ? new OtlpMeterRegistry(otlpConfig(settings), Clock.SYSTEM) : null;
    if (otlp != null) {
      // A composite costs a second update per event: only when there is a second registry.
      CompositeMeterRegistry both = new CompositeMeterRegistry(Clock.SYSTEM);
      both.add(prometheus);
      both.add(otlp);
      registry = both;
    } else {
      registry = prometheus;
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    ingress = new IngressMeters(registry, settings.histograms());
    system.getWhenTerminated().thenRun(() -> {
      if (otlp != null) otlp.close(); // its last push
      registry.close();
    });
  }

  /** The node's metrics, created with its first use. */
  public static RsmMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * The observer to give the runtime: {@code next} as it is when metrics are off; else one that
   * records the runtime's events, with the meters of every type of {@code types} registered at
   * zero, and passes each event on to {@code next}.
   */
  public StepObserver observe(MachineRegistry types, StepObserver next) {
    return registry == null ? next : new MicrometerObserver(registry, types, settings.histograms()).andThen(next);
  }

  /** What the HTTP ingress reports each request's latency to. */
  public IngressTimer ingress() {
    return ingress;
  }

  /** The meters in Prometheus's text format; empty when metrics are off. */
  public Optional<String> scrape() {
    return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
  }

  /** The registry meters are registered in (for tests and embedding); empty when metrics are off. */
  public Optional<MeterRegistry> registry() {
    return Optional.ofNullable(registry);
  }

  private static OtlpConfig otlpConfig(MetricsSettings s) {
    Map<String, String> values = Map.of(
        "otlp.url", s.otlpUrl(),
        "otlp.step", s.otlpStep().toMillis() + "ms");
    return values::get;
  }
}
