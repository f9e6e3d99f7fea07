package dev.rsm.app.metrics;

import dev.rsm.app.http.IngressTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@value #NAME}: the HTTP ingress's latency, one timer per machine type, method and status. The
 * type is one the node hosts or {@code unknown} (see {@link IngressTimer}), the methods and
 * statuses are the few the routes answer: the number of series stays bounded.
 */
final class IngressMeters implements IngressTimer {
  static final String NAME = "rsm.ingress.requests";

  private final MeterRegistry registry;
  private final boolean histogram;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  IngressMeters(MeterRegistry registry, boolean histogram) {
    this.registry = registry;
    this.histogram = histogram;
  }

  @Override
  public void record(String type, String method, int status, long nanos) {
    String key = type + ' ' + method + ' ' + status;
    Timer t = timers.get(key);
    if (t == null)
      t = timers.computeIfAbsent(key, k -> Timer.builder(NAME)
          .description("Requests to machines through the HTTP ingress, by machine type, method and status")
          .tags("type", type, "method", method, "status", Integer.toString(status))
          .publishPercentileHistogram(histogram)
          .register(registry));
    t.record(nanos, TimeUnit.NANOSECONDS);
  }
}
