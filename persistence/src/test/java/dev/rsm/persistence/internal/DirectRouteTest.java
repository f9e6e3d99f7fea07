package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Outputs go straight to the receiver's actor once an acknowledgement has named it, and back
 * through the transport when that actor is gone. The resend interval is a minute here, so an output
 * lost to a dead actor would not arrive within the test.
 */
class DirectRouteTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    var config = RsmConfig.load(ConfigFactory.parseString(
        "rsm.persistence.delivery.resend-interval = 60s\nrsm.persistence.delivery.resend-max-backoff = 60s")
        .withFallback(TestNode.FAST).withFallback(TestStores.fresh(TestStores.H2)));
    JdbcSchema.ensure(config);
    kit = ActorTestKit.create("direct-route", config);
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** A transport that counts the deliveries it carries to the machines it spawns. */
  static final class CountingTransport implements Transport {
    final Map<Address, ActorRef<Protocol.Command>> machines = new ConcurrentHashMap<>();
    final AtomicInteger delivers = new AtomicInteger();
    MachineEnvironment env;

    ActorRef<Protocol.Command> machine(Address a) {
      return machines.computeIfAbsent(a, x -> kit.spawn(MachineBehavior.create(env, x, self -> {})));
    }

    @Override
    public void tell(Address to, Protocol.Command message) {
      if (message instanceof Protocol.Deliver) delivers.incrementAndGet();
      machine(to).tell(message);
    }

    @Override
    public <R> CompletionStage<R> ask(Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout) {
      return AskPattern.ask(machine(to), message::apply, timeout, kit.scheduler());
    }
  }

  @Test
  void deliveriesSkipTheTransportWhileTheReceiverLivesAndTakeItAgainWhenItStops() {
    CountingTransport transport = new CountingTransport();
    AllowedClasses.get(kit.system()).register(List.of(Counter.TYPE)); // as a runtime does
    transport.env = new MachineEnvironment(RuntimeSettings.create(kit.system()), MachineRegistry.of(Counter.TYPE),
        transport, Clock.systemUTC(), FaultInjector.NONE);
    Address a = Counter.TYPE.address("a");
    Address b = Counter.TYPE.address("b");

    for (int i = 1; i <= 3; i++) {
      addAndTell(transport, a, b, i);
      awaitState(transport, b, new Counter.State(i * (i + 1) / 2, i));
    }
    assertEquals(1, transport.delivers.get(), "only the first output went through the transport");

    ActorRef<Protocol.Command> first = transport.machines.remove(b);
    kit.stop(first); // as passivation or a move to another node would
    addAndTell(transport, a, b, 4);
    awaitState(transport, b, new Counter.State(10, 4));
    assertEquals(2, transport.delivers.get(), "after the receiver stopped, the transport found its next incarnation");
    assertEquals(0, ((MachineView) transport.ask(a, (ActorRef<Object> r) -> new Protocol.GetState(r), Duration.ofSeconds(3))
        .toCompletableFuture().join()).unackedOutputs());
  }

  @Test
  void aDirectSendNeverOvertakesOneStillOnItsWayThroughTheTransport() {
    ActorRef<Protocol.Command> receiver = kit.spawn(Behaviors.ignore());
    OutChannel ch = new OutChannel(new RuntimeState(null), Counter.TYPE.address("x"), 0, 0);
    assertNull(ch.directRoute(), "no route before an acknowledgement names the receiver");
    ch.route = receiver;
    assertSame(receiver, ch.directRoute());
    ch.routedUpTo = 5; // sent through the transport, not acknowledged yet
    ch.acked = 4;
    assertNull(ch.directRoute());
    ch.acked = 5;
    assertSame(receiver, ch.directRoute());
    TestProbe<Object> watcher = kit.createTestProbe();
    kit.stop(receiver);
    watcher.awaitAssert(() -> {
      assertNull(ch.directRoute(), "a stopped receiver is not a route");
      return null;
    });
    assertNull(ch.route, "and is forgotten");
  }

  private static void addAndTell(CountingTransport t, Address a, Address b, long n) {
    TestProbe<IngressResult> reply = kit.createTestProbe();
    t.tell(a, new Protocol.Ingress(null, new Counter.AddAndTell(n, b.id()), reply.ref()));
    assertInstanceOf(IngressResult.Replied.class, reply.receiveMessage(Duration.ofSeconds(5)));
  }

  private static void awaitState(CountingTransport t, Address b, Counter.State expected) {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(expected, ((MachineView) t.ask(b, (ActorRef<Object> r) -> new Protocol.GetState(r), Duration.ofSeconds(3))
          .toCompletableFuture().join()).state());
      return null;
    });
  }
}
