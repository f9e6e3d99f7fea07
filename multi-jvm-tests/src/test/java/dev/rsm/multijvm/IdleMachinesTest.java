package dev.rsm.multijvm;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.Database;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Idle machines on Cluster Sharding, on each store: with short {@code hibernate-after} (1 s) and
 * {@code passivate-after} (3 s), the accounts are left idle past both, so each hibernates and then
 * asks sharding to passivate it while hibernating, and are then addressed again: every read and
 * every transfer afterwards must succeed, round after round. On H2 one node; on PostgreSQL two, so
 * that credits also wake hibernating machines on the other node.
 */
@ExtendWith(MultiJvmExtension.class)
class IdleMachinesTest {
  static final String HIBERNATE_AFTER = "1s";
  static final String PASSIVATE_AFTER = "3s";
  /** The fault: idle time past passivate-after, and past the idle check that follows it. */
  static final Duration IDLE = Duration.ofSeconds(6);
  /** A machine that answers at all answers in well under this (recovery from a short journal). */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);
  static final int ROUNDS = 2;

  @ParameterizedTest
  @EnumSource(Database.Kind.class)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void machinesIdlePastHibernationAndPassivationServeEveryLaterRequest(Database.Kind store, Scenario scenario)
      throws InterruptedException {
    scenario.on(store);
    NodeCluster cluster = scenario.cluster("node", store == Database.Kind.H2 ? 1 : 2)
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER)
        .start();
    Bank bank = scenario.bank(8, 2, cluster.httpPorts());
    bank.open();
    bank.burst(10, cluster.httpPorts());
    for (int round = 1; round <= ROUNDS; round++) {
      Thread.sleep(IDLE.toMillis()); // the fault itself: every machine hibernates, then passivates
      long t0 = System.nanoTime();
      Duration served = Probe.untilAllServed(bank.accounts(), cluster.httpPorts(), t0, ANSWER_WITHIN);
      bank.burst(10, cluster.httpPorts());
      System.out.printf("[multi-jvm] %s, round %d: after %d s idle every account answered within %.1f s, then "
          + "20 more transfers completed %.1f s after the first read%n", store, round, IDLE.toSeconds(),
          served.toMillis() / 1000.0, (System.nanoTime() - t0) / 1e9);
    }
    Thread.sleep(IDLE.toMillis()); // and once more: the audit's reads address idle machines too
    System.out.println("[multi-jvm] " + store + ": " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }
}
