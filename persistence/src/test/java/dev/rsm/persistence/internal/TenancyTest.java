package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A machine whose node does not hold its lease answers nothing: an input is refused with
 * NOT_LEASED and not handled, a read gets NotLeased, an input from another machine is left
 * unacknowledged and is handled once, from the sender's resend, when the lease is back.
 */
class TenancyTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    var config = RsmConfig.load(ConfigFactory.parseString("rsm.persistence.delivery.resend-interval = 200ms")
        .withFallback(TestNode.FAST).withFallback(TestStores.fresh(TestStores.H2)));
    JdbcSchema.ensure(config);
    kit = ActorTestKit.create("tenancy", config);
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Spawns the machines it is asked to reach, in the test kit. */
  static final class Spawning implements Transport {
    final Map<Address, ActorRef<Protocol.Command>> machines = new ConcurrentHashMap<>();
    MachineEnvironment env;

    ActorRef<Protocol.Command> machine(Address a) {
      return machines.computeIfAbsent(a, x -> kit.spawn(MachineBehavior.create(env, x, self -> {})));
    }

    @Override
    public void tell(Address to, Protocol.Command message) {
      machine(to).tell(message);
    }

    @Override
    public <R> CompletionStage<R> ask(Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout) {
      return AskPattern.ask(machine(to), message::apply, timeout, kit.scheduler());
    }
  }

  @Test
  void withoutItsLeaseAMachineAnswersNothingAndHandlesWhatWasSentOnceItIsBack() {
    Address a = Counter.TYPE.address("a");
    Address b = Counter.TYPE.address("b");
    AtomicBoolean leased = new AtomicBoolean(true);
    Spawning t = new Spawning();
    AllowedClasses.get(kit.system()).register(List.of(Counter.TYPE));
    // a always holds its lease; b only while `leased` is set.
    t.env = new MachineEnvironment(RuntimeSettings.create(kit.system()), MachineRegistry.of(Counter.TYPE), t,
        Clock.systemUTC(), FaultInjector.NONE, dev.rsm.persistence.StepObserver.NONE,
        machine -> machine.equals(b) ? leased::get : () -> true);
    assertInstanceOf(IngressResult.Replied.class, ask(t, b, new Counter.Add(1)));

    leased.set(false);
    IngressResult refused = ask(t, b, new Counter.Add(10));
    assertEquals(IngressResult.Unavailable.Reason.NOT_LEASED, ((IngressResult.Unavailable) refused).reason());
    assertInstanceOf(Protocol.NotLeased.class, read(t, b));
    assertInstanceOf(IngressResult.Replied.class, ask(t, a, new Counter.AddAndTell(5, b.id())));
    assertEquals(1, ((MachineView) read(t, a)).unackedOutputs(), "b did not acknowledge a's output");

    leased.set(true);
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(0, ((MachineView) read(t, a)).unackedOutputs(), "a's resend reached b");
      return null;
    });
    assertEquals(new Counter.State(6, 2), ((MachineView) read(t, b)).state(),
        "the refused input was not handled, the delivery was, once");
  }

  private static IngressResult ask(Spawning t, Address to, Object input) {
    return t.<IngressResult>ask(to, r -> new Protocol.Ingress(null, input, r), Duration.ofSeconds(5))
        .toCompletableFuture().join();
  }

  private static Object read(Spawning t, Address of) {
    return t.<Object>ask(of, Protocol.GetState::new, Duration.ofSeconds(5)).toCompletableFuture().join();
  }
}
