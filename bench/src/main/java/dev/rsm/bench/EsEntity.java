package dev.rsm.bench;

import java.util.function.BiConsumer;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The es baseline: a plain Pekko {@code EventSourcedBehavior} that persists one event per command
 * and, once it is persisted, passes the token on with a plain sharding tell. Durable, but neither
 * deduplicated nor redelivered: what a Pekko user writes without exactly-once.
 */
final class EsEntity extends EventSourcedBehavior<EsEntity.Hop, EsEntity.Moved, Long> {

  /** Hop {@code hop} of token {@code token}. */
  public record Hop(int token, long hop, String payload) implements BenchSerializable {}

  /** The event: this entity handled that hop. */
  public record Moved(int token, long hop, String payload) implements BenchSerializable {}

  private final BiConsumer<Integer, Hop> forward;

  /** @param forward called after the event is persisted with the token and the next hop */
  EsEntity(PersistenceId id, BiConsumer<Integer, Hop> forward) {
    super(id);
    this.forward = forward;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Hop, Moved, Long> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Hop.class, (s, h) -> Effect()
            .persist(new Moved(h.token(), h.hop(), h.payload()))
            .thenRun(after -> forward.accept(h.token(), new Hop(h.token(), h.hop() + 1, h.payload()))))
        .build();
  }

  @Override
  public EventHandler<Long, Moved> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Moved.class, (s, e) -> s + 1).build();
  }
}
