package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Coupon;
import dev.rsm.persistence.machines.Shop;
import dev.rsm.persistence.machines.Stray;
import ch.qos.logback.classic.Level;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node reads back from its journal only the classes of its machine types, so a step holding
 * any other class is refused when it is taken (nothing journaled, the caller told why), never
 * found unreadable at the next recovery.
 */
class AllowedValueTypesTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Shop.TYPE);

  @Test
  void aReplyOfAnUndeclaredClassIsRefusedAndWhatWasJournaledReadsBack() {
    var db = TestStores.fresh(TestStores.H2);
    Address shop = Shop.TYPE.address("s1");
    Shop.Item item = new Shop.Item("sku-1", new Shop.Money(250));
    try (TestNode node = new TestNode("value-types", db, TYPES)) {
      assertEquals(new IngressResult.Replied(new Shop.Receipt(1), false, 1),
          node.ask(shop, "k1", new Shop.Buy(item, new Shop.Money(5))));
      // Coupon is declared outside the machine, with MachineType.withValueTypes.
      assertEquals(new IngressResult.Replied(new Coupon("c"), false, 2), node.ask(shop, "k2", new Shop.Redeem("c")));
      try (LogLines logs = new LogLines()) {
        IngressResult refused = node.ask(shop, "k3", new Shop.Misbehave());
        // The caller learns that the step failed; the node's log, under the errorId, says why.
        String errorId = assertInstanceOf(IngressResult.Failed.class, refused).errorId();
        assertEquals(1, logs.at(Level.WARN, errorId, Stray.class.getName(), "withValueTypes").size());
      }
      assertEquals(2, node.state(shop).seqNr(), "the refused step was not journaled");
    }
    try (TestNode node = new TestNode("value-types", db, TYPES)) {
      // Recovery reads every journaled value back: the basket, and the recorded replies.
      assertEquals(new Shop.State(List.of(item)), node.state(shop).state());
      assertEquals(new IngressResult.Replied(new Coupon("c"), true, 2), node.ask(shop, "k2", new Shop.Redeem("c")));
      assertEquals(new IngressResult.Replied(new Shop.Receipt(1), true, 2), node.ask(shop, "k1", new Shop.Buy(item, new Shop.Money(5))));
    }
  }
}
