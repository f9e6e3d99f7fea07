package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.LocalRegistry;
import dev.rsm.persistence.internal.MachineEnvironment;
import dev.rsm.persistence.internal.Tracing;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.internal.Transport;
import dev.rsm.persistence.internal.TransportMachines;
import dev.rsm.persistence.internal.UnwrittenReads;
import dev.rsm.persistence.testing.TestNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A node as {@code LocalRuntime} builds it, with a transport the simulation controls: it records
 * every {@link Protocol.Deliver} it carries so that the test can deliver one again later (a
 * duplicate, out of order). Everything else is the runtime's own code.
 */
final class SimNode implements Node {
  final ActorTestKit kit;
  final Machines machines;
  private final RecordingTransport transport;

  SimNode(String name, Config store, Config extra, FaultInjector faults, StepObserver observer) {
    Config config = RsmConfig.load(extra.withFallback(TestNode.FAST).withFallback(store));
    this.kit = ActorTestKit.create(name, config);
    MachineRegistry registry = MachineRegistry.of(Duo.TYPE);
    RuntimeSettings settings = RuntimeSettings.create(kit.system());
    JdbcSchema.ensure(kit.system().settings().config());
    AllowedClasses.get(kit.system()).register(registry.types());
    this.transport = new RecordingTransport();
    MachineEnvironment env = new MachineEnvironment(settings, registry, transport, Clock.systemUTC(), faults, observer);
    transport.registry = kit.system().systemActorOf(LocalRegistry.create(env), "rsm-machines",
        org.apache.pekko.actor.typed.Props.empty());
    this.machines = TransportMachines.over(transport, registry, settings, UnwrittenReads.of(kit.system()), Tracing.OFF);
  }

  @Override
  public ActorSystem<?> system() {
    return kit.system();
  }

  @Override
  public Machines machines() {
    return machines;
  }

  /** The Delivers carried to {@code to} so far. */
  List<Protocol.Deliver> delivered(Address to) {
    synchronized (transport.carried) {
      return transport.carried.stream().filter(e -> e.to().equals(to)).map(e -> (Protocol.Deliver) e.message()).toList();
    }
  }

  /** Carries again the i-th Deliver this node's transport carried to {@code to} (only its peer sends to it). */
  @Override
  public boolean duplicate(Address from, Address to, int i) {
    List<Protocol.Deliver> carried = delivered(to);
    if (carried.isEmpty()) return false;
    transport.registry.tell(new LocalRegistry.Envelope(to, carried.get(i % carried.size())));
    return true;
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
  }

  private final class RecordingTransport implements Transport {
    volatile ActorRef<LocalRegistry.Envelope> registry;
    final List<LocalRegistry.Envelope> carried = new ArrayList<>();

    @Override
    public void tell(Address to, Protocol.Command message) {
      LocalRegistry.Envelope e = new LocalRegistry.Envelope(to, message);
      if (message instanceof Protocol.Deliver) {
        synchronized (carried) {
          carried.add(e);
        }
      }
      registry.tell(e);
    }

    @Override
    public <R> CompletionStage<R> ask(Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout) {
      return AskPattern.ask(registry, replyTo -> new LocalRegistry.Envelope(to, message.apply(replyTo)), timeout,
          kit.system().scheduler());
    }
  }
}
