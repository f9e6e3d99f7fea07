package dev.rsm.app.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.app.sample.saga.Order;
import dev.rsm.persistence.MachineRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Effects' attempts and outcomes, as the runtime reports them, in Prometheus's names. */
class EffectMetricsTest {
  @Test
  void attemptsAndOutcomesAreCountedPerTypeEffectAndOutcome() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerObserver observer = new MicrometerObserver(registry, MachineRegistry.of(Order.TYPE), false);
    Address order = Order.TYPE.address("o-1");
    observer.effectAttempted(order, Order.CHARGE, false, 2_000_000);
    observer.effectAttempted(order, Order.CHARGE, true, 1_000_000);
    observer.effectHandled(order, Order.CHARGE, true);
    String scrape = registry.scrape();
    assertTrue(scrape.contains("rsm_effects_attempts_seconds_count{effect=\"charge-card\",outcome=\"failed\",type=\"order\"} 1"), scrape);
    assertTrue(scrape.contains("rsm_effects_attempts_seconds_count{effect=\"charge-card\",outcome=\"ok\",type=\"order\"} 1"), scrape);
    assertTrue(scrape.contains("rsm_effects_outcomes_total{effect=\"charge-card\",outcome=\"ok\",type=\"order\"} 1.0"), scrape);
  }
}
