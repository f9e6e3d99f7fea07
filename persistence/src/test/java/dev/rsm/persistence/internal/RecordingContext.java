package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Command;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A machine's surroundings for unit tests of its parts, without an actor system: an {@link
 * ActorContext} whose {@code scheduleOnce} records what would be scheduled, and a {@link Transport}
 * that records what would be sent. Any other method of the context fails the test.
 */
final class RecordingContext {
  /** A message scheduled to the machine itself, and whether it was cancelled since. */
  static final class Scheduled implements Cancellable {
    final Duration delay;
    final Object message;
    boolean cancelled;

    Scheduled(Duration delay, Object message) {
      this.delay = delay;
      this.message = message;
    }

    @Override
    public boolean cancel() {
      boolean was = !cancelled;
      cancelled = true;
      return was;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }

  record Sent(Address to, Command message) {}

  final List<Scheduled> scheduled = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();

  /** A future piped to the machine itself, and how its outcome becomes a message. */
  record Piped(java.util.concurrent.CompletionStage<Object> future,
      org.apache.pekko.japi.function.Function2<Object, Throwable, Command> toMessage) {}

  final List<Piped> piped = new ArrayList<>();

  @SuppressWarnings("unchecked")
  final ActorContext<Command> ctx = (ActorContext<Command>) Proxy.newProxyInstance(
      ActorContext.class.getClassLoader(), new Class<?>[] {ActorContext.class}, (proxy, method, args) -> {
        switch (method.getName()) {
          case "getSelf":
            return null; // the machine's own ref: only carried in messages, never used here
          case "scheduleOnce":
            Scheduled s = new Scheduled((Duration) args[0], args[2]);
            scheduled.add(s);
            return s;
          case "pipeToSelf":
            piped.add(new Piped((java.util.concurrent.CompletionStage<Object>) args[0],
                (org.apache.pekko.japi.function.Function2<Object, Throwable, Command>) args[1]));
            return null;
          default:
            throw new UnsupportedOperationException("not in a unit test: " + method.getName());
        }
      });

  final Transport transport = new Transport() {
    @Override
    public void tell(Address to, Command message) {
      sent.add(new Sent(to, message));
    }

    @Override
    public <R> CompletionStage<R> ask(Address to, Function<ActorRef<R>, Command> message, Duration timeout) {
      throw new UnsupportedOperationException("not in a unit test");
    }
  };

  /** The live (not cancelled) scheduled messages. */
  List<Object> live() {
    return scheduled.stream().filter(s -> !s.cancelled).map(s -> s.message).toList();
  }
}
