package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenario 2: every node of a three-node cluster is restarted in turn (SIGTERM, start) under load. */
@ExtendWith(MultiJvmExtension.class)
class RollingRestartTest {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyTransferCompletesExactlyOnceThroughARollingRestart(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 3).start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(60, Duration.ofSeconds(60));

    for (NodeProcess node : cluster.nodes()) {
      long t0 = System.nanoTime();
      node.stop(); // SIGTERM: CoordinatedShutdown hands the node's shards off and leaves the cluster
      long stopped = System.nanoTime();
      cluster.awaitMembersUp(2, Duration.ofSeconds(60));
      node.start().awaitReady(NodeCluster.START_TIMEOUT);
      cluster.awaitMembersUp(3, NodeCluster.START_TIMEOUT);
      System.out.printf("[multi-jvm] rolling restart of %s: stopped in %.1f s, back in the cluster %.1f s after SIGTERM%n",
          node.name(), (stopped - t0) / 1e9, (System.nanoTime() - t0) / 1e9);
      bank.awaitMoreTransfers(30, Duration.ofSeconds(60)); // transfers flow before the next node goes
    }
    bank.stopTransfers();

    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
    for (NodeProcess node : cluster.nodes())
      assertEquals(1, node.countLogLines("Exiting completed"), node.name() + " left the cluster gracefully once");
  }
}
