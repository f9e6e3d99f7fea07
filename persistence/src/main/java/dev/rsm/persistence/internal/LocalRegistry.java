package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.internal.PoisonPill$;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * INTERNAL API. The local transport's router: one child per machine, created on the first message
 * to its address. Passivation is a handshake, as in Cluster Sharding: messages that arrive while a
 * machine stops are buffered and delivered to its next incarnation, and those already in its
 * mailbox are handled before it stops.
 *
 * <p>A machine that stops without passivating (Pekko persistence stops an actor whose recovery or
 * journal write failed) is started again after {@code restart.max-backoff}, as sharding does for
 * remembered entities: a machine whose only pending work is a timer or an unacknowledged output
 * would otherwise stay down until someone addressed it.
 */
public final class LocalRegistry extends AbstractBehavior<LocalRegistry.Message> {

  public sealed interface Message {}

  /** {@code message} for the machine at {@code to}. */
  public record Envelope(Address to, Protocol.Command message) implements Message {}

  private record Passivate(ActorRef<Protocol.Command> machine) implements Message {}

  private record Restart(Address machine) implements Message {}

  public static Behavior<Envelope> create(MachineEnvironment env) {
    return Behaviors.<Message>setup(ctx -> new LocalRegistry(ctx, env)).narrow();
  }

  private final MachineEnvironment env;
  private final Map<Address, ActorRef<Protocol.Command>> running = new HashMap<>();
  private final Map<ActorRef<Protocol.Command>, Address> addresses = new HashMap<>();
  private final Map<Address, List<Protocol.Command>> stopping = new HashMap<>();

  private LocalRegistry(ActorContext<Message> ctx, MachineEnvironment env) {
    super(ctx);
    this.env = env;
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Envelope.class, this::onEnvelope)
        .onMessage(Passivate.class, this::onPassivate)
        .onMessage(Restart.class, this::onRestart)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Message> onEnvelope(Envelope e) {
    List<Protocol.Command> buffer = stopping.get(e.to());
    if (buffer != null) {
      buffer.add(e.message());
      return this;
    }
    ActorRef<Protocol.Command> machine = running.get(e.to());
    if (machine == null) {
      if (env.registry().find(e.to().type()).isEmpty()) {
        getContext().getLog().warn("dropping message to unknown machine type {}", e.to());
        return this;
      }
      machine = spawn(e.to());
    }
    machine.tell(e.message());
    return this;
  }

  private ActorRef<Protocol.Command> spawn(Address a) {
    ActorRef<Message> self = getContext().getSelf();
    ActorRef<Protocol.Command> ref =
        getContext().spawn(
            MachineBehavior.create(env, a, m -> self.tell(new Passivate(m))),
            URLEncoder.encode(a.type() + "|" + a.id(), StandardCharsets.UTF_8));
    getContext().watch(ref);
    running.put(a, ref);
    addresses.put(ref, a);
    return ref;
  }

  /**
   * From here on the machine's messages are buffered; the machine is sent a {@code PoisonPill}
   * signal, which arrives after what is already in its mailbox and which event sourcing handles
   * after the commands it holds, as with Cluster Sharding. Stopping the
   * child at once would drop those messages: an input sent just before the passivation (which may
   * have woken the machine) would reach nobody and its caller would wait for its timeout.
   */
  private Behavior<Message> onPassivate(Passivate p) {
    Address a = addresses.get(p.machine());
    if (a != null && !stopping.containsKey(a)) {
      stopping.put(a, new ArrayList<>());
      // Pekko typed's PoisonPill, a signal that travels as a message (the classic one would stop
      // the actor at once, dropping what its event sourcing holds in its stash).
      Adapter.toClassic(p.machine()).tell(PoisonPill$.MODULE$, org.apache.pekko.actor.ActorRef.noSender());
    }
    return this;
  }

  private Behavior<Message> onTerminated(Terminated t) {
    Address a = addresses.remove(t.getRef());
    if (a == null) return this;
    running.remove(a);
    List<Protocol.Command> buffered = stopping.remove(a);
    if (buffered == null) {
      getContext().getLog().warn("machine {} stopped without passivating; starting it again in {}",
          a, env.settings().restartMaxBackoff());
      getContext().scheduleOnce(env.settings().restartMaxBackoff(), getContext().getSelf(), new Restart(a));
    } else if (!buffered.isEmpty()) {
      ActorRef<Protocol.Command> next = spawn(a);
      buffered.forEach(next::tell);
    }
    return this;
  }

  private Behavior<Message> onRestart(Restart r) {
    if (!running.containsKey(r.machine()) && !stopping.containsKey(r.machine())) spawn(r.machine());
    return this;
  }
}
