package dev.rsm.multijvm;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.Database;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A single node, on each store with the node's default settings for it, killed with {@code kill -9}
 * under load and started again on the same working directory, three times in a row. On H2 the
 * store is the file the node creates in its working directory ({@code ./data/rsm}), opened again
 * by the restarted node: whatever the default H2 URL does on a kill (a background write delay
 * loses the steps acknowledged in its last half second) is what this checks.
 */
@ExtendWith(MultiJvmExtension.class)
class NodeKilledAndRestartedTest {
  static final int KILLS = 3;
  /** Transfers between kills: enough that every kill lands in the middle of the load. */
  static final int TRANSFERS_BETWEEN_KILLS = 40;

  @ParameterizedTest
  @EnumSource(Database.Kind.class)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyAcknowledgedTransferSurvivesRepeatedKillsOfTheOnlyNode(Database.Kind store, Scenario scenario) {
    scenario.on(store);
    NodeCluster cluster = scenario.cluster("node", 1).start();
    NodeProcess node = cluster.node(0);
    Bank bank = scenario.bank(8, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(TRANSFERS_BETWEEN_KILLS, Duration.ofSeconds(60));

    for (int k = 1; k <= KILLS; k++) {
      long done = bank.transfers();
      node.kill(); // mid-load: the three clients have requests in flight
      long killedAt = System.nanoTime();
      node.start().awaitReady(NodeCluster.START_TIMEOUT);
      double ready = (System.nanoTime() - killedAt) / 1e9;
      bank.awaitMoreTransfers(TRANSFERS_BETWEEN_KILLS, Duration.ofSeconds(60));
      System.out.printf("[multi-jvm] %s: kill -9 #%d of %s after %d transfers; ready again %.1f s later, "
          + "%d more transfers %.1f s after the kill%n", store, k, node.name(), done, ready, TRANSFERS_BETWEEN_KILLS,
          (System.nanoTime() - killedAt) / 1e9);
    }
    bank.stopTransfers();

    System.out.println("[multi-jvm] " + store + ": " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }
}
