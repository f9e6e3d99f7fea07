package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Shapes;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replay compares what the handler produces with what the journal holds as the journal holds it:
 * a reply, send or timer input holding an array, or a number in an {@code Object}-typed field,
 * is the same value after its round trip through the journal, not a divergence at every
 * recovery.
 */
class ReplayEncodingTest {
  static final Address A = Shapes.TYPE.address("a");
  static final Address B = Shapes.TYPE.address("b");
  static final Config FULL_REPLAY = ConfigFactory.parseString("rsm.persistence.recover-from-snapshots = off");

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void arraysAndObjectTypedNumbersReplayWithoutDivergence(String store) {
    Config db = TestStores.fresh(store);
    MachineRegistry types = MachineRegistry.of(Shapes.TYPE);
    try (TestNode node = new TestNode("live", db, types)) {
      node.ask(A, "1", new Shapes.Add(5));
      node.ask(A, "2", new Shapes.Forward("b", 7));
      node.ask(A, "3", new Shapes.Add(3_000_000_000L)); // a long that does not fit an int
      Await.until("b got the carry", Duration.ofSeconds(15), () -> node.state(B).state(),
          s -> s.equals(new Shapes.State(7)));
    }
    try (TestNode node = new TestNode("recovered", db, types, FULL_REPLAY, FaultInjector.NONE)) {
      MachineView a = node.state(A);
      assertEquals(new Shapes.State(3_000_000_012L), a.state());
      assertEquals(3, a.seqNr());
      assertEquals(1, a.armedTimers(), "the timer holding an array is still armed");
      assertEquals(new Shapes.State(7), node.state(B).state());
    }
  }
}
