package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.persistence.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics of a failover, read where an operator reads them: three nodes under steady
 * transfers, the busiest one killed with kill -9. The survivors' accounts keep sending to accounts
 * of the dead node, which acknowledge nothing until they run again on a survivor: {@code
 * rsm_outputs_resent_total} rises on the survivors, and once every account is served again every
 * output is acknowledged ({@code rsm_outputs_unacked} back to 0) and every transfer completed once.
 */
@ExtendWith(MultiJvmExtension.class)
class ResendsAfterNodeKilledTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void resendsRiseOnTheSurvivorsAndEveryOutputIsAcknowledgedAfterTakeover(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 3).start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(100, Duration.ofSeconds(60));

    NodeProcess victim = cluster.busiest("account", bank.accounts());
    List<NodeProcess> survivors = cluster.running().stream().filter(n -> n != victim).toList();
    double resentBefore = sum(survivors, "rsm_outputs_resent_total{type=\"account\"}");
    long killedAt = System.nanoTime();
    victim.kill();

    double resentDuring = Await.until("resends rising on the survivors", Duration.ofSeconds(60),
        () -> sum(survivors, "rsm_outputs_resent_total{type=\"account\"}"), r -> r > resentBefore);
    Duration failover = Probe.untilAllServed(bank.accounts(), survivors.stream().map(NodeProcess::httpPort).toList(),
        killedAt, Duration.ofSeconds(90));
    bank.awaitMoreTransfers(100, Duration.ofSeconds(60));
    bank.stopTransfers();
    Await.until("every output acknowledged", Duration.ofSeconds(60),
        () -> sum(survivors, "rsm_outputs_unacked{type=\"account\"}"), u -> u == 0.0);
    System.out.printf("[multi-jvm] kill -9 of %s: account resends on the survivors %.0f before, %.0f after; every "
        + "account served again after %.1f s%n", victim.name(), resentBefore, resentDuring, failover.toMillis() / 1000.0);
    for (NodeProcess n : survivors)
      assertEquals(0.0, value(n, "rsm_inputs_rejected_total{type=\"account\"}"), n.name() + " rejected no input");
    System.out.println("[multi-jvm] " + bank.summary());
    // The audit stops the nodes (it recovers every account on a fresh node): metrics are read before.
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, survivors.stream().map(NodeProcess::httpPort).toList()));
    assertTrue(failover.compareTo(Duration.ofSeconds(60)) < 0, "failover took " + failover);
  }

  private static double sum(List<NodeProcess> nodes, String series) {
    double total = 0;
    for (NodeProcess n : nodes) total += value(n, series);
    return total;
  }

  /** The value of {@code series} (its name and labels as Prometheus writes them) at the node's {@code /metrics}. */
  private static double value(NodeProcess node, String series) {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + "/metrics"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    String body;
    try {
      HttpResponse<String> r = CLIENT.send(get, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new IllegalStateException(node.name() + " /metrics answered " + r.statusCode());
      body = r.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    for (String line : body.split("\n"))
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    throw new AssertionError("no " + series + " at " + node.name() + "'s /metrics");
  }
}
