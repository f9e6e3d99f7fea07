package dev.rsm.persistence;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The delivery seam: how a message reaches the machine at an address. The runtime never knows where
 * a machine lives; {@link LocalRuntime} implements this inside one ActorSystem and the sharding
 * module across a cluster. Delivery may lose, duplicate or reorder messages; the runtime's sequence
 * numbers, acknowledgements and resends turn that into exactly-once, in-order processing.
 */
public interface Transport {

  /** Sends {@code message} to the machine at {@code to}, creating the machine if needed. */
  void tell(Address to, Protocol.Command message);

  /** Request-response with the machine at {@code to}. */
  <R> CompletionStage<R> ask(
      Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout);
}
