package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stale incarnation of a sender: two nodes on one store (a split brain without leases, two
 * clusters on one database), each with its own copy of the sender s. The copy on A, awake, holds
 * an output to r that r has not acknowledged; meanwhile the copy on B recovers, journals a further
 * step and delivers its output, so r's mark on the channel goes past anything A's copy numbered.
 * When r then acknowledges A's resend, A's copy must not take that for a store that lost steps:
 * the journal holds rows it did not write, so it is stale, says so, and recovers from the
 * journal, after which r's acknowledgements match and its outputs settle.
 */
class StaleSenderTest {
  static final Address S = Counter.TYPE.address("s");
  static final Address R = Counter.TYPE.address("r");
  // Nothing hibernates during the test: the stale copy stays awake, as a busy one would.
  static final Config AWAKE = ConfigFactory.parseString(
      "rsm.persistence { hibernate-after = 1h, passivate-after = 1h }");

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aStaleSenderRecoversFromTheJournalInsteadOfBlamingTheStore(String store) {
    Config db = TestStores.fresh(store);
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    // On A, while this is set, r fails before journaling a step and while replaying its journal:
    // it never runs with a mark beyond #0, so it acknowledges nothing, and A's s keeps its output.
    AtomicBoolean rFailsOnA = new AtomicBoolean(true);
    FaultInjector faultsOnA = (point, machine) -> rFailsOnA.get() && R.equals(machine)
        && (point == FaultInjector.Point.BEFORE_JOURNAL || point == FaultInjector.Point.DURING_RECOVERY);
    try (LogLines logs = new LogLines();
        TestNode a = new TestNode("side-a", db, types, AWAKE, faultsOnA, Clock.systemUTC())) {
      assertEquals(new Counter.Total(1), reply(a.ask(S, "one", new Counter.AddAndTell(1, "r"))));
      assertEquals(1, a.state(S).unackedOutputs());

      // B: its copy of s recovers (s#1 journaled by A), delivers #1 and sends #2 with a step of its own.
      try (TestNode b = new TestNode("side-b", db, types, AWAKE, FaultInjector.NONE)) {
        assertEquals(new Counter.Total(3), reply(b.ask(S, "two", new Counter.AddAndTell(2, "r"))));
        Await.until("r handled #1 and #2 on B, B's s has nothing unacknowledged", Duration.ofSeconds(15),
            () -> List.of(b.state(R).state(), b.state(S).unackedOutputs()),
            v -> v.equals(List.of(new Counter.State(3, 2), 0)));
      }

      // A's r now recovers r's journal (mark #2 on the channel from s) and acknowledges A's resend
      // of #1 with it: beyond A's s, which numbered only #1.
      rFailsOnA.set(false);
      Await.until("A's stale s recovers from the journal and its outputs are acknowledged", Duration.ofSeconds(20),
          () -> List.of(a.state(S).state(), a.state(S).unackedOutputs()),
          v -> v.equals(List.of(new Counter.State(3, 2), 0)));
      assertEquals(List.of(), logs.at(Level.ERROR, "the store lost"),
          "a stale incarnation is not a store that lost steps");
      Await.until("the stale copy said so", Duration.ofSeconds(5),
          () -> logs.at(Level.WARN, "machine counter/s is a stale incarnation", "recovering from the journal"),
          l -> !l.isEmpty());
      assertEquals(new Counter.State(3, 2), a.state(R).state(), "r took nothing twice");
    }
  }

  private static Object reply(IngressResult r) {
    return ((IngressResult.Replied) r).reply();
  }
}
