package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An idempotency key is bound to the input it first came with: reused with another input it is
 * refused ({@link IngressResult.KeyReused}), never answered with the first request's reply, and
 * this holds after the machine is recovered from its journal or from a snapshot.
 */
class KeyReuseTest {
  static final Address A = Counter.TYPE.address("a");

  @ParameterizedTest
  @ValueSource(strings = {"rsm.persistence.recover-from-snapshots = off", "rsm.persistence.snapshot-every = 1"})
  void aKeyReusedWithAnotherInputIsRefusedAlsoAfterRecovery(String recovery) {
    Config db = TestStores.fresh(TestStores.H2);
    Config cfg = ConfigFactory.parseString(recovery);
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    try (TestNode node = new TestNode("first", db, types, cfg, FaultInjector.NONE)) {
      assertEquals(new IngressResult.Replied(new Counter.Total(5), false, 1), node.ask(A, "k", new Counter.Add(5)));
      assertEquals(new IngressResult.Replied(new Counter.Total(8), false, 2), node.ask(A, "k2", new Counter.Add(3)));
      assertInstanceOf(IngressResult.KeyReused.class, node.ask(A, "k", new Counter.Add(6)));
    }
    try (TestNode node = new TestNode("recovered", db, types, cfg, FaultInjector.NONE)) {
      assertInstanceOf(IngressResult.KeyReused.class, node.ask(A, "k", new Counter.Add(6)));
      assertEquals(new IngressResult.Replied(new Counter.Total(5), true, 2), node.ask(A, "k", new Counter.Add(5)));
      assertEquals(new Counter.State(8, 2), node.state(A).state());
    }
  }
}
