package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The split-brain resolver's lease-majority strategy on RSM's lease (config/lease-majority.conf):
 * a two-node cluster loses, with kill -9, the node keep-majority would have kept (on a tie it keeps
 * the side with the lowest address). The survivor acquires the resolver's lease in the database,
 * downs the dead node instead of itself, and serves every account.
 */
@ExtendWith(MultiJvmExtension.class)
class LeaseMajorityTest {
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theSideThatGetsTheLeaseSurvivesEvenWithoutAMajority(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 2)
        .set("pekko.cluster.split-brain-resolver.active-strategy", "lease-majority")
        .set("pekko.cluster.split-brain-resolver.lease-majority.lease-implementation", "rsm.lease")
        .start();
    Bank bank = scenario.bank(8, 2, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));
    // The lowest address: the node keep-majority keeps on a tie.
    NodeProcess victim = cluster.nodes().stream()
        .min(Comparator.comparingInt((NodeProcess n) -> Integer.parseInt(n.address().replaceAll(".*:", "")))).orElseThrow();
    NodeProcess survivor = cluster.nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
    long killedAt = System.nanoTime();
    victim.kill();
    Duration served = Probe.untilAllServed(bank.accounts(), List.of(survivor.httpPort()), killedAt, Duration.ofSeconds(90));
    cluster.awaitMembersUp(1, Duration.ofSeconds(30));
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));
    bank.stopTransfers();
    System.out.printf("[multi-jvm] lease-majority: kill -9 of %s (the lowest address), %s alone served every "
        + "account %.1f s later%n", victim.name(), survivor.name(), served.toMillis() / 1000.0);
    assertTrue(survivor.isRunning(), "the survivor did not down itself");
    assertTrue(survivor.countLogLines("SBR took decision AcquireLeaseAndDownUnreachable") > 0,
        "the resolver decided by the lease");
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, List.of(survivor.httpPort())));
  }
}
