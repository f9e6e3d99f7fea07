package dev.rsm.multijvm;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.Database;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Idle machines on Cluster Sharding, on each store: with short {@code hibernate-after} (1 s) and
 * {@code passivate-after} (3 s), the accounts are left idle past both, so each hibernates and then
 * asks sharding to passivate it while hibernating, and are then addressed again: every read and
 * every transfer afterwards must succeed. Then they are left idle once more, and the audit's reads
 * address them again. On H2 one node; on PostgreSQL two, so that credits also wake hibernating
 * machines on the other node.
 */
@ExtendWith(MultiJvmExtension.class)
class IdleMachinesTest {
  static final String HIBERNATE_AFTER = "1s";
  static final String PASSIVATE_AFTER = "3s";
  /** Idle machines passivate passivate-after their last input; the node may be slow to get to it. */
  static final Duration PASSIVATED_WITHIN = Duration.ofSeconds(15);
  /** A machine that answers at all answers in well under this (recovery from a short journal). */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

  @ParameterizedTest
  @EnumSource(Database.Kind.class)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void machinesIdlePastHibernationAndPassivationServeEveryLaterRequest(Database.Kind store, Scenario scenario) {
    scenario.on(store);
    NodeCluster cluster = scenario.cluster("node", store == Database.Kind.H2 ? 1 : 2)
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER)
        .start();
    Bank bank = scenario.bank(8, 2, cluster.httpPorts());
    bank.open();
    bank.burst(10, cluster.httpPorts());
    double idle = awaitAllPassivated(cluster, bank); // the fault itself: every machine hibernates, then is passivated
    long t0 = System.nanoTime();
    Duration served = Probe.untilAllServed(bank.accounts(), cluster.httpPorts(), t0, ANSWER_WITHIN);
    bank.burst(10, cluster.httpPorts());
    System.out.printf("[multi-jvm] %s: every account hibernated and was passivated %.1f s after the last transfer; "
        + "then every account answered a read within %.1f s, and 20 more transfers completed %.1f s after the first "
        + "read%n", store, idle, served.toMillis() / 1000.0, (System.nanoTime() - t0) / 1e9);
    awaitAllPassivated(cluster, bank); // and again: the audit's first reads address passivated machines too
    System.out.println("[multi-jvm] " + store + ": " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }

  /**
   * Waits until no node hosts any account (sharding counts no running entity for them: each was
   * passivated, hibernating when its passivation came). Returns the seconds it took.
   */
  private static double awaitAllPassivated(NodeCluster cluster, Bank bank) {
    long t0 = System.nanoTime();
    Waits.await("every account passivated (no node hosts one)", PASSIVATED_WITHIN)
        .until(() -> cluster.placement("account", bank.accounts()), Map::isEmpty);
    return (System.nanoTime() - t0) / 1e9;
  }
}
