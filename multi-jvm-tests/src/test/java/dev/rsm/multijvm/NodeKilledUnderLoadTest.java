package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 1: three nodes under steady transfers; one is killed with kill -9 mid-load. The replica
 * monitor runs as a cluster singleton throughout (moving to a survivor if it ran on the victim)
 * and reports no divergence. The failover as the survivors' {@code /metrics} show it: their
 * accounts keep sending to accounts of the dead node, which acknowledge nothing until they run
 * again on a survivor, so {@code rsm_outputs_resent_total} rises; once the load stops every output
 * is acknowledged ({@code rsm_outputs_unacked} back to 0) and no input was rejected.
 */
@ExtendWith(MultiJvmExtension.class)
class NodeKilledUnderLoadTest {
  private static final String RESENT = "rsm_outputs_resent_total{type=\"account\"}";
  private static final String UNACKED = "rsm_outputs_unacked{type=\"account\"}";
  private static final String REJECTED = "rsm_inputs_rejected_total{type=\"account\"}";

  private static double sum(List<NodeProcess> nodes, String series) {
    double total = 0;
    for (NodeProcess n : nodes) total += n.metric(series);
    return total;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyTransferCompletesExactlyOnceWhenANodeIsKilledMidLoad(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 3)
        .set("rsm.replica-monitor.enabled", "on")
        .set("rsm.replica-monitor.log-interval", "2s")
        .start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(100, Duration.ofSeconds(60));

    // Kill the node hosting the most accounts, in the middle of the load.
    Map<String, NodeProcess> before = cluster.placement("account", bank.accounts());
    assertEquals(bank.accounts().size(), before.size(), "every account is running somewhere: " + before);
    NodeProcess victim = before.values().stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<String> moved = bank.accounts().stream().filter(a -> before.get(a) == victim).toList();
    assertFalse(moved.isEmpty(), "the node to kill hosts accounts");
    List<NodeProcess> survivors = cluster.running().stream().filter(n -> n != victim).toList();
    List<Integer> survivorPorts = survivors.stream().map(NodeProcess::httpPort).toList();
    double resentBefore = sum(survivors, RESENT);
    long killedAt = System.nanoTime();
    victim.kill();
    double resentDuring = Waits.await("resends rising on the survivors", Duration.ofSeconds(60))
        .until(() -> sum(survivors, RESENT), r -> r > resentBefore);

    Duration failover = Probe.untilAllServed(bank.accounts(), survivorPorts, killedAt, Duration.ofSeconds(90));
    System.out.printf("[multi-jvm] kill -9 of %s (hosting %d of %d accounts: %s): every account served again "
        + "after %.1f s%n", victim.name(), moved.size(), bank.accounts().size(), moved, failover.toMillis() / 1000.0);
    cluster.awaitMembersUp(2, Duration.ofSeconds(60)); // the dead node was downed and removed
    bank.awaitMoreTransfers(100, Duration.ofSeconds(60)); // load goes on on two nodes
    bank.stopTransfers();
    Waits.await("every output acknowledged", Duration.ofSeconds(60)).until(() -> sum(survivors, UNACKED), u -> u == 0.0);
    System.out.printf("[multi-jvm] /metrics of the survivors: account resends %.0f before the kill, %.0f after; "
        + "no output unacknowledged once the load stopped%n", resentBefore, resentDuring);
    assertEquals(0.0, sum(survivors, REJECTED), "no input rejected");
    System.out.println("[multi-jvm] " + ReplicaMonitorTest.caughtUpWithoutDivergence(cluster.nodes()));

    Map<String, NodeProcess> after = cluster.placement("account", bank.accounts());
    for (String a : moved) {
      assertTrue(after.containsKey(a), a + " runs again after its node died");
      assertNotEquals(victim, after.get(a));
    }
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, survivorPorts));
    assertTrue(failover.compareTo(Duration.ofSeconds(60)) < 0, "failover took " + failover);
  }
}
