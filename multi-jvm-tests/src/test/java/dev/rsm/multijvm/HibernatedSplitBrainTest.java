package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A split brain that hibernation could hide: two clusters with no shared membership on one
 * database, machines hibernating after one idle second, and clients that alternate between the
 * sides in bursts with a pause longer than that between them. Every burst then finds the machines
 * of its side hibernating, holding the state they had before the other side's burst. A machine
 * that wakes from that state instead of the journal's computes its steps on a stale balance and
 * writes them above the other side's rows: the journal's key cannot fence a write whose sequence
 * number is free. The fresh node of the audit replays every journal and must find each history
 * reproducible, with the ledger's balances.
 */
@ExtendWith(MultiJvmExtension.class)
class HibernatedSplitBrainTest {
  static final String HIBERNATE_AFTER = "1s";
  /** Longer than the whole scenario: the machines hibernate and never passivate. */
  static final String PASSIVATE_AFTER = "120s";
  /** Idle time between bursts: past hibernate-after, and past the idle check that follows it. */
  static final Duration PAUSE = Duration.ofSeconds(3);
  static final int ROUNDS = 2;
  static final int TRANSFERS_PER_WORKER = 5;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aMachineWakingFromHibernationComputesOnTheOtherSidesWrites(Scenario scenario) throws InterruptedException {
    NodeCluster left = scenario.cluster("left", 1)
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER);
    NodeCluster right = scenario.cluster("right", 1)
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER);
    left.start();
    right.start(); // start() saw each alone: 1 member Up
    NodeProcess l = left.node(0);
    NodeProcess r = right.node(0);
    Bank bank = scenario.bank(12, 3, List.of(l.httpPort()));
    bank.open(); // through the left side
    for (int round = 1; round <= ROUNDS; round++) {
      Thread.sleep(PAUSE.toMillis()); // the fault itself: idle time in which the machines hibernate
      bank.burst(TRANSFERS_PER_WORKER, List.of(r.httpPort()));
      Thread.sleep(PAUSE.toMillis());
      bank.burst(TRANSFERS_PER_WORKER, List.of(l.httpPort()));
    }
    System.out.printf("[multi-jvm] hibernated split brain: %d bursts of %d transfers alternating between %s "
            + "(answered %d requests) and %s (answered %d), %s idle before each%n",
        2 * ROUNDS, 3 * TRANSFERS_PER_WORKER, l.name(), bank.answeredBy(l.httpPort()), r.name(),
        bank.answeredBy(r.httpPort()), PAUSE);
    System.out.println("[multi-jvm] " + bank.summary());
    assertTrue(bank.answeredBy(l.httpPort()) > 0 && bank.answeredBy(r.httpPort()) > 0, "both clusters served");

    // Either side may hold a stale copy in memory: only a fresh node reads the truth.
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, List.of()));
  }
}
