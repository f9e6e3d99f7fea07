package dev.rsm.app.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.LocalRuntime;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.TestStores;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/** The value-type sample of docs/security.md: a reply class defined elsewhere, declared with the type. */
class ShopTest {

  @Test
  void aDeclaredReplyClassIsJournaledAndAnsweredAndAnUndeclaredOneFailsTheStep() {
    assertEquals(new IngressResult.Replied(new Coupon("corner-1", 10), false, 1), issue(Shop.TYPE));

    MachineType<Shop.Input, Shop.State> undeclared = MachineType.of("shop", Shop::new);
    assertInstanceOf(IngressResult.Failed.class, issue(undeclared), "nothing unreadable is journaled");
  }

  private static IngressResult issue(MachineType<Shop.Input, Shop.State> type) {
    ActorTestKit kit = ActorTestKit.create("shop", RsmConfig.load(TestStores.fresh(TestStores.H2)));
    try {
      LocalRuntime rsm = LocalRuntime.start(kit.system(), MachineRegistry.of(type));
      return rsm.machines().ask(type.address("corner"), "issue-1", new Shop.Issue(10)).toCompletableFuture().join();
    } finally {
      kit.shutdownTestKit();
    }
  }
}
