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
 * Scenario 4: a split brain. Two clusters with no shared membership run on the same database and
 * both host the same accounts; the clients alternate between them. Sharding's single writer is
 * gone; the journal's primary key {@code (persistence_id, sequence_number)} is what keeps every
 * effect single: a stale incarnation's write fails and it recovers from the journal.
 */
@ExtendWith(MultiJvmExtension.class)
class SplitBrainTest {
  /**
   * Named in PostgreSQL's error when a write hits an existing (persistence_id, sequence_number):
   * {@code duplicate key value violates unique constraint "event_journal_pkey"} (the constraint's
   * name, unlike the sentence, is the same in every server locale).
   */
  static final String FENCED = "\"event_journal_pkey\"";
  /** How a machine's failed step write is logged (with the database's error as its cause). */
  // One step (StepTaken) or several written together (StepsTaken).
  static final String STEP_FAILED = "Failed to persist event type [dev.rsm.persistence.internal.Step";

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void noEffectIsAppliedTwiceWhenTwoClustersRunTheSameMachines(Scenario scenario) {
    NodeCluster left = scenario.cluster("left", 1).start();
    NodeCluster right = scenario.cluster("right", 1).start(); // start() saw each alone: 1 member Up
    NodeProcess l = left.node(0);
    NodeProcess r = right.node(0);
    // Each request, and each retry, goes to the other cluster than the one before.
    Bank bank = scenario.bank(12, 3, List.of(l.httpPort(), r.httpPort()));
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(60, Duration.ofSeconds(150));
    bank.stopTransfers();
    long fenced = l.countLogEntries(STEP_FAILED, FENCED) + r.countLogEntries(STEP_FAILED, FENCED);
    System.out.printf("[multi-jvm] split brain: %s answered %d requests, %s answered %d, for the same 12 accounts; "
            + "%d stale machine writes were fenced by the journal's primary key%n",
        l.name(), bank.answeredBy(l.httpPort()), r.name(), bank.answeredBy(r.httpPort()), fenced);
    System.out.println("[multi-jvm] " + bank.summary());

    // The split brain ends the way downing ends one: the nodes go away. Only a fresh node reads the
    // truth, from the journal (either side may still hold a stale copy of an account in memory).
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, List.of()));
    assertTrue(bank.answeredBy(l.httpPort()) > 0 && bank.answeredBy(r.httpPort()) > 0, "both clusters served");
    assertTrue(fenced > 0, "both clusters wrote the same machines, so some stale write was fenced");
  }
}
