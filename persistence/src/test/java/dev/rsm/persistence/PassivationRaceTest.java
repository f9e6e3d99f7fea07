package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.internal.LocalRegistry;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * An input already in a machine's mailbox when the machine asks to be passivated is handled, not
 * dropped with the actor: the local runtime stops a passivating machine with a PoisonPill that
 * queues behind its mailbox, as Cluster Sharding does.
 */
class PassivationRaceTest {
  @Test
  void anInputQueuedBehindThePassivationIsHandledOnce() {
    HibernationTest.Events events = new HibernationTest.Events();
    try (TestNode node = new TestNode("passivation-race", TestStores.fresh(TestStores.H2),
        MachineRegistry.of(Counter.TYPE), ConfigFactory.parseString("rsm.persistence { hibernate-after = 100ms, passivate-after = 1h }"),
        FaultInjector.NONE, Clock.systemUTC(), events)) {
      assertEquals(new IngressResult.Replied(new Counter.Total(5), false, 1), node.ask(HibernationTest.A, "k1", new Counter.Add(5)));
      node.ask(HibernationTest.B, "k1", new Counter.Add(1));
      events.await("hibernated a", 1);
      events.await("hibernated b", 1);
      ActorRef machine = node.system().classicSystem()
          .actorSelection("/system/rsm-machines/" + URLEncoder.encode("counter|a", StandardCharsets.UTF_8))
          .resolveOne(Duration.ofSeconds(3)).toCompletableFuture().join();
      ActorRef router = node.system().classicSystem().actorSelection("/system/rsm-machines")
          .resolveOne(Duration.ofSeconds(3)).toCompletableFuture().join();
      TestProbe<IngressResult> caller = TestProbe.create(node.system());
      // Both through the router, which passes them on in this order before it can see the
      // machine's request to be passivated: the machine's idle timeout (passivate-after elapsed
      // while hibernating), then an input, which reaches the machine after it asked to be
      // passivated and before the router's stop. The router is kept busy first (acknowledgements
      // for b, which a hibernating machine drops), so that both are in its mailbox before it
      // passes on the first.
      for (int i = 0; i < 20_000; i++)
        router.tell(new LocalRegistry.Envelope(HibernationTest.B, new Protocol.Ack(HibernationTest.A, 0, 0, null, null)),
            ActorRef.noSender());
      router.tell(new LocalRegistry.Envelope(HibernationTest.A, Protocol.IdleTimeout.INSTANCE), ActorRef.noSender());
      router.tell(new LocalRegistry.Envelope(HibernationTest.A, new Protocol.Ingress("k2", new Counter.Add(1), caller.ref())),
          ActorRef.noSender());
      assertEquals(new IngressResult.Replied(new Counter.Total(6), false, 2),
          caller.expectMessageClass(IngressResult.Replied.class, Duration.ofSeconds(10)));
      // The stopping machine did not wake for it: the next incarnation, recovered from the journal,
      // handled it, and the passivated actor is gone.
      assertEquals(0, events.count("woke a"));
      Await.until("a new incarnation of a", Duration.ofSeconds(10), () -> node.system().classicSystem()
          .actorSelection(machine.path()).resolveOne(Duration.ofSeconds(3)).toCompletableFuture().join(),
          ref -> !ref.equals(machine));
      assertEquals(new IngressResult.Replied(new Counter.Total(8), false, 3), node.ask(HibernationTest.A, "k3", new Counter.Add(2)));
      // and k2 was handled once: its retry is answered from the key
      IngressResult.Replied again = (IngressResult.Replied) node.ask(HibernationTest.A, "k2", new Counter.Add(1));
      assertEquals(new Counter.Total(6), again.reply());
      assertTrue(again.duplicate());
    }
  }
}
