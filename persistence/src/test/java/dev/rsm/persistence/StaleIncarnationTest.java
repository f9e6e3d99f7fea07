package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.HibernationTest.Events;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two live incarnations of one machine, as a split brain or two clusters on one database make
 * them: two nodes on one store, each hosting the same accounts. A step is only ever computed on
 * the journal's latest state: a copy that hibernated on one node while the other node wrote wakes,
 * finds rows it did not write, and recovers from the journal before it takes the next step. Money
 * is conserved, every answer reflects every earlier accepted step, and a fresh node recovers
 * every account from the journal without divergence.
 */
class StaleIncarnationTest {
  static final Config QUICK = ConfigFactory.parseString(
      "rsm.persistence { hibernate-after = 200ms, passivate-after = 1h, snapshot-every = 3 }");
  static final Address X = BankAccount.TYPE.address("x");
  static final Address Y = BankAccount.TYPE.address("y");
  static final Address Z = BankAccount.TYPE.address("z");

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aHibernatedCopyWakesOnTheJournalsLatestStateNotOnWhatItHeld(String store) {
    Config db = TestStores.fresh(store);
    MachineRegistry types = MachineRegistry.of(BankAccount.TYPE);
    Events onA = new Events();
    Events onB = new Events();
    try (TestNode a = new TestNode("side-a", db, types, QUICK, FaultInjector.NONE, Clock.systemUTC(), onA);
        TestNode b = new TestNode("side-b", db, types, QUICK, FaultInjector.NONE, Clock.systemUTC(), onB)) {
      assertEquals(new BankAccount.Result(true, 100), reply(a.ask(X, "open", new BankAccount.Open(100))));
      onA.await("hibernated x", 1);

      // B: its own copy of x recovers from the journal and moves the money to y.
      assertEquals(new BankAccount.Result(true, 0), reply(b.ask(X, "t1", new BankAccount.Transfer("y", 100))));
      onB.await("hibernated x", 1);

      // A wakes x from what it held (balance 100): it must see B's step and refuse.
      assertEquals(new BankAccount.Result(false, 0), reply(a.ask(X, "t2", new BankAccount.Transfer("z", 100))));
      // And the other way round, with several steps on each side in between.
      assertEquals(new BankAccount.Result(true, 50), reply(a.ask(X, "open2", new BankAccount.Open(50))));
      assertEquals(new BankAccount.Result(true, 60), reply(a.ask(X, "open3", new BankAccount.Open(10))));
      onA.await("hibernated x", 2);
      assertEquals(new BankAccount.Result(true, 20), reply(b.ask(X, "t3", new BankAccount.Transfer("z", 40))));
      assertEquals(new BankAccount.Result(false, 0), reply(b.ask(X, "t2", new BankAccount.Transfer("z", 100))),
          "a key handled by the other copy is known to this one: its recorded reply, not a new step");
    }
    try (TestNode fresh = new TestNode("fresh", db, types,
        ConfigFactory.parseString("rsm.persistence.recover-from-snapshots = off"), FaultInjector.NONE)) {
      assertEquals(new BankAccount.State(20, 0), fresh.state(X).state());
      // The credits are sends: x, recovered here, resends any the closed nodes had not delivered.
      Await.until("y credited", Duration.ofSeconds(10), () -> fresh.state(Y).state(), new BankAccount.State(100, 1)::equals);
      Await.until("z credited", Duration.ofSeconds(10), () -> fresh.state(Z).state(), new BankAccount.State(40, 1)::equals);
    }
  }

  private static Object reply(IngressResult r) {
    return ((IngressResult.Replied) r).reply();
  }
}
