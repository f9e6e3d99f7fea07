package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.Postgres;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL's postmaster is killed with {@code kill -9} under load (no checkpoint, no clean
 * shutdown: the server crashes), stays down a few seconds, and is started again on the same data
 * directory, where it recovers from its write-ahead log. Unlike {@link DatabaseOutageTest} (a
 * clean stop), the connections break mid-transaction: a step whose commit the node never heard
 * back about may or may not be in the journal, and the retry with the same key must find out which.
 */
@ExtendWith(MultiJvmExtension.class)
class DatabaseKilledUnderLoadTest {
  static final Duration OUTAGE = Duration.ofSeconds(5);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyTransferCompletesOnceAfterTheDatabaseCrashesAndRecovers(Scenario scenario) throws InterruptedException {
    NodeCluster cluster = scenario.cluster("node", 2).start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(80, Duration.ofSeconds(60));

    long unavailableBefore = bank.unavailable();
    long transfersBefore = bank.transfers();
    long downAt = System.nanoTime();
    long pid = Postgres.server().kill();
    // The outage lasts until the clients have felt it for a while: six requests answered 503 (each
    // waits up to the request timeout, so this is seconds of outage, not a blip).
    Waits.await("clients answered 503 during the outage", OUTAGE.multipliedBy(10))
        .until(() -> bank.unavailable() - unavailableBefore, n -> n >= 6);
    long unavailableDuring = bank.unavailable() - unavailableBefore;
    long completedDuring = bank.transfers() - transfersBefore;
    long restartedAt = System.nanoTime();
    double down = (restartedAt - downAt) / 1e9;
    Postgres.server().start();
    double serverUp = (System.nanoTime() - restartedAt) / 1e9;
    bank.awaitMoreTransfers(50, Duration.ofSeconds(90));
    double recovery = (System.nanoTime() - restartedAt) / 1e9;
    bank.awaitMoreTransfers(50, Duration.ofSeconds(60));
    bank.stopTransfers();

    System.out.printf("[multi-jvm] PostgreSQL postmaster (pid %d) killed with kill -9 and down for %.1f s: %d requests "
            + "answered 503 meanwhile, %d transfers completed meanwhile; the server accepted connections again %.1f s "
            + "after its restart began (WAL recovery), 50 more transfers completed %.1f s after it%n",
        pid, down, unavailableDuring, completedDuring, serverUp, recovery);
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
    assertTrue(unavailableDuring > 0, "callers got 503 while the database was down");
  }
}
