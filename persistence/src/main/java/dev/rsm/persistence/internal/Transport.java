package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * INTERNAL API. The delivery seam: how a message reaches the machine at an address. The runtime
 * never knows where a machine lives; {@code LocalRuntime} holds one that delivers inside one
 * ActorSystem and {@code ShardedRuntime} one that delivers across a cluster. Delivery may lose,
 * duplicate or reorder messages; the runtime's sequence numbers, acknowledgements and resends turn
 * that into exactly-once, in-order processing.
 */
public interface Transport {

  /** Sends {@code message} to the machine at {@code to}, creating the machine if needed. */
  void tell(Address to, Protocol.Command message);

  /** Request-response with the machine at {@code to}. */
  <R> CompletionStage<R> ask(
      Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout);
}
