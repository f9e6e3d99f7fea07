package dev.rsm.multijvm;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenario 5: a node joins a running two-node cluster under load and takes shards over. */
@ExtendWith(MultiJvmExtension.class)
class NodeJoinsUnderLoadTest {

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aJoiningNodeTakesShardsOverWithoutLosingAnInFlightTransfer(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 2).start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(60, Duration.ofSeconds(60));

    NodeProcess joiner = cluster.add();
    long t0 = System.nanoTime();
    joiner.start().awaitReady(NodeCluster.START_TIMEOUT);
    cluster.awaitMembersUp(3, NodeCluster.START_TIMEOUT);
    double joined = (System.nanoTime() - t0) / 1e9;
    bank.addNode(joiner.httpPort());
    Map<String, NodeProcess> placement = Waits.await(joiner.name() + " hosts accounts", Duration.ofSeconds(60))
        .until(() -> cluster.placement("account", bank.accounts()), p -> p.containsValue(joiner));
    double tookOver = (System.nanoTime() - t0) / 1e9;
    bank.awaitMoreTransfers(60, Duration.ofSeconds(60));
    bank.stopTransfers();

    long moved = placement.values().stream().filter(joiner::equals).count();
    System.out.printf("[multi-jvm] %s joined under load: Up %.1f s after start, hosting accounts after %.1f s "
        + "(%d of %d at first look)%n", joiner.name(), joined, tookOver, moved, bank.accounts().size());
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }
}
