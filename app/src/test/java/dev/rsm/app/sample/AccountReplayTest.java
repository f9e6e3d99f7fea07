package dev.rsm.app.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import dev.rsm.persistence.LocalRuntime;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.TestStores;
import dev.rsm.testkit.JournalFile;
import dev.rsm.testkit.JournalSource;
import dev.rsm.testkit.ReplayCheck;
import dev.rsm.testkit.ReplayReport;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's third check on the bundled sample (docs/testkit.md): a journal recorded by a node,
 * exported to a file as one would copy production's, replayed against the current handlers.
 */
class AccountReplayTest {
  @TempDir Path dir;
  Path journal;

  @BeforeEach
  void recordAJournal() {
    Config store = TestStores.fresh(TestStores.H2);
    ActorTestKit kit = ActorTestKit.create("account-replay", RsmConfig.load(store));
    try {
      Machines machines = LocalRuntime.start(kit.system(), MachineRegistry.of(Account.TYPE)).machines();
      machines.ask(Account.TYPE.address("alice"), "d-1", new Account.Deposit(100)).toCompletableFuture().join();
      machines.ask(Account.TYPE.address("alice"), "t-1", new Account.Transfer("bob", 30)).toCompletableFuture().join();
      RunningLocallyTest.awaitBalance(machines, "bob", 30);
    } finally {
      kit.shutdownTestKit();
    }
    journal = dir.resolve("prod-journal.jsonl");
    JournalFile.export(JournalSource.jdbc(RsmConfig.load(store)), journal);
  }

  @Test // 3. An upgrade against a recorded journal, before deploying it
  void theNewCodeReplaysProduction() {
    ReplayReport report =
        ReplayCheck.run(JournalSource.file(journal), MachineRegistry.of(Account.TYPE)).assertNoDivergence();

    assertEquals(3, report.stepsChecked(), "alice's deposit and transfer, bob's deposit");
  }
}
