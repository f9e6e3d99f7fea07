package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.machines.Relay;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.StoppablePostgres;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * After known traffic to one node (inputs handled, an idempotent replay, a 400, a 500, a poison
 * input retried and rejected, a timer, a 503 while the database is stopped), {@code GET /metrics}
 * on the management port shows the expected counters, gauges and tags; and the runtime's lines
 * about a machine carry its type, id, step and idempotency key in their MDC.
 */
class MetricsTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE, Brittle.TYPE, Relay.TYPE);

  @Test
  void metricsAfterKnownTraffic() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(lines);
    try (StoppablePostgres pg = new StoppablePostgres();
        TestCluster cluster = new TestCluster(pg.config(), TYPES, ConfigFactory.parseMap(Map.of(
            "rsm.node.management", "on",
            "pekko.management.http.hostname", "127.0.0.1",
            "pekko.management.http.port", 0,
            "rsm.persistence.hibernate-after", "2s",
            "rsm.persistence.passivate-after", "12s")))) {
      RsmNode node = cluster.start();
      int p = node.httpPort();
      int m = node.managementPort();

      // Before any traffic every type's meters exist, at zero.
      Metrics before = Metrics.scrape(m);
      for (String type : List.of("account", "brittle", "relay")) {
        assertEquals(0.0, before.get("rsm_steps_total", "type", type));
        assertEquals(0.0, before.get("rsm_inputs_rejected_total", "type", type));
        assertEquals(0.0, before.get("rsm_machines", "state", "awake", "type", type));
      }

      post(200, p, "/machines/account/a", "k1", "{\"type\":\"deposit\",\"amount\":5}");
      HttpResponse<String> replayed = post(200, p, "/machines/account/a", "k1", "{\"type\":\"deposit\",\"amount\":5}");
      assertEquals("true", replayed.headers().firstValue("Idempotent-Replayed").orElse(""));
      post(400, p, "/machines/account/a", null, "{\"type\":");
      post(200, p, "/machines/brittle/b", null, "{\"type\":\"ok\"}");
      post(500, p, "/machines/brittle/b", "kb", "{\"type\":\"fail\",\"why\":\"boom\"}");

      // A poison input: relay's output to brittle/p fails there max-attempts (3) times, each on a
      // resend, and is then journaled as rejected and acknowledged.
      post(200, p, "/machines/relay/r", null, "{\"type\":\"poison\",\"to\":\"p\"}");
      Await.until("the poison input rejected and acknowledged", Duration.ofSeconds(30), () -> Metrics.scrape(m),
          x -> x.get("rsm_inputs_rejected_total", "type", "brittle") == 1.0
              && x.get("rsm_outputs_unacked", "type", "relay") == 0.0);

      // A timer: armed by one step, fired into another.
      post(200, p, "/machines/relay/r", null, "{\"type\":\"arm\",\"millis\":300}");
      Await.until("relay awake", Duration.ofSeconds(10), () -> Metrics.scrape(m),
          x -> x.get("rsm_machines", "state", "awake", "type", "relay") == 1.0);
      Await.until("the timer fired", Duration.ofSeconds(10), () -> Metrics.scrape(m),
          x -> x.get("rsm_timers_fired_total", "type", "relay") == 1.0);
      Await.until("relay hibernated", Duration.ofSeconds(10), () -> Metrics.scrape(m),
          x -> x.get("rsm_machines", "state", "hibernated", "type", "relay") == 1.0
              && x.get("rsm_machines", "state", "awake", "type", "relay") == 0.0);

      // The database goes away: the input is answered 503 and not journaled.
      pg.stop();
      post(503, p, "/machines/account/a", "k2", "{\"type\":\"deposit\",\"amount\":1}");
      pg.start();

      Metrics x = Metrics.scrape(m);
      assertEquals(1.0, x.get("rsm_steps_total", "type", "account"));
      assertEquals(2.0, x.get("rsm_steps_total", "type", "brittle"), "ok, and the poison input's rejection");
      assertEquals(3.0, x.get("rsm_steps_total", "type", "relay"), "poison, arm, and the timer's step");
      assertEquals(2.0, ingress(x, "account", 200));
      assertEquals(1.0, ingress(x, "account", 400));
      assertEquals(1.0, ingress(x, "account", 503));
      assertEquals(1.0, ingress(x, "brittle", 200));
      assertEquals(1.0, ingress(x, "brittle", 500));
      assertEquals(2.0, ingress(x, "relay", 200));
      assertTrue(x.get("rsm_ingress_requests_seconds_sum", "method", "post", "status", "503", "type", "account") >= 2.0,
          "the 503 came after the request timeout (3 s) or a failed write");
      assertEquals(1.0, x.get("rsm_ingress_idempotent_replays_total", "type", "account"));
      assertEquals(1.0, x.get("rsm_inputs_rejected_total", "type", "brittle"));
      assertEquals(0.0, x.get("rsm_inputs_rejected_total", "type", "account"));
      assertTrue(x.get("rsm_outputs_resent_total", "type", "relay") >= 2.0, "two resends before the rejection");
      assertEquals(0.0, x.get("rsm_outputs_resent_total", "type", "account"));
      assertEquals(1.0, x.get("rsm_timers_armed_total", "type", "relay"));
      assertEquals(1.0, x.get("rsm_timers_fired_total", "type", "relay"));
      assertEquals(0.0, x.get("rsm_replay_divergences_total", "outcome", "failed", "type", "relay"));
      for (String type : List.of("account", "brittle", "relay")) {
        // Every step in exactly one journal row.
        assertEquals(x.get("rsm_steps_total", "type", type), x.get("rsm_journal_write_steps_sum", "type", type), type);
        assertTrue(x.get("rsm_journal_writes_seconds_count", "type", type) >= 1.0, type);
      }
      assertTrue(x.series().keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM meters");

      // Idle machines hibernate, then passivate: nothing awake or hibernated is left.
      Metrics end = Await.until("every machine passivated", Duration.ofSeconds(60), () -> Metrics.scrape(m), e -> {
        for (String type : List.of("account", "brittle", "relay"))
          if (e.get("rsm_machines", "state", "awake", "type", type) != 0.0
              || e.get("rsm_machines", "state", "hibernated", "type", type) != 0.0) return false;
        return true;
      });
      assertTrue(end.get("rsm_machines_passivations_total", "type", "brittle") >= 2.0, "brittle/b and brittle/p");
      assertTrue(end.get("rsm_machines_passivations_total", "type", "relay") >= 1.0);

      // The runtime's lines about a machine name it, its step and the idempotency key in the MDC.
      ILoggingEvent rejected = only(lines, "rejected");
      assertEquals("brittle", rejected.getMDCPropertyMap().get("machine.type"));
      assertEquals("p", rejected.getMDCPropertyMap().get("machine.id"));
      assertEquals("1", rejected.getMDCPropertyMap().get("step.seq"));
      ILoggingEvent failed = only(lines, "handler of brittle");
      assertEquals("b", failed.getMDCPropertyMap().get("machine.id"));
      assertEquals("kb", failed.getMDCPropertyMap().get("idempotency.key"));
      assertEquals("2", failed.getMDCPropertyMap().get("step.seq"), "it would have been the second step");
    } finally {
      root.detachAppender(lines);
    }
  }

  @Test
  void metricsOffRecordNothingAndMetricsIsNotServed() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, ConfigFactory.parseMap(Map.of(
        "rsm.metrics.enabled", "off",
        "rsm.node.management", "on",
        "pekko.management.http.hostname", "127.0.0.1",
        "pekko.management.http.port", 0)))) {
      RsmNode node = cluster.start();
      post(200, node.httpPort(), "/machines/account/a", "k1", "{\"type\":\"deposit\",\"amount\":5}");
      assertEquals(404, Http.get(node.managementPort(), "/metrics").statusCode());
      assertEquals(200, Http.get(node.managementPort(), "/alive").statusCode(), "the other management routes stay");
      assertTrue(dev.rsm.app.metrics.RsmMetrics.get(node.system()).registry().isEmpty());
    }
  }

  private static ILoggingEvent only(ListAppender<ILoggingEvent> lines, String part) {
    List<ILoggingEvent> found;
    synchronized (lines) {
      found = lines.list.stream().filter(e -> e.getFormattedMessage().contains(part)
          && e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)).toList();
    }
    assertTrue(!found.isEmpty(), "no line with " + part);
    return found.get(0);
  }

  private static double ingress(Metrics x, String type, int status) {
    return x.get("rsm_ingress_requests_seconds_count", "method", "post", "status", Integer.toString(status), "type", type);
  }

  private static HttpResponse<String> post(int status, int port, String path, String key, String body) {
    HttpResponse<String> r = Http.post(port, path, key, body);
    assertEquals(status, r.statusCode(), r.body());
    return r;
  }

  /** One scrape of {@code /metrics}: each series (name and labels) with its value. */
  record Metrics(Map<String, Double> series) {
    static Metrics scrape(int managementPort) {
      HttpResponse<String> r = Http.get(managementPort, "/metrics");
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      Map<String, Double> series = new HashMap<>();
      for (String line : r.body().split("\n")) {
        if (line.isBlank() || line.startsWith("#")) continue;
        int space = line.lastIndexOf(' ');
        series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
      return new Metrics(series);
    }

    /** The value of {@code name} with exactly the labels {@code labels} (name, value, ... sorted by name). */
    double get(String name, String... labels) {
      StringBuilder key = new StringBuilder(name);
      for (int i = 0; i < labels.length; i += 2)
        key.append(i == 0 ? "{" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
      if (labels.length > 0) key.append('}');
      Double v = series.get(key.toString());
      if (v == null) throw new AssertionError("no series " + key + " in /metrics");
      return v;
    }
  }
}
