package dev.rsm.bench;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The rd baseline's consumer: an event-sourced entity behind a {@code ShardingConsumerController}
 * that persists one event per delivered message and confirms it after the write (at-least-once:
 * a redelivered message would be persisted again).
 */
final class RdConsumer extends EventSourcedBehavior<RdConsumer.Command, RdConsumer.Received, Long> {

  /** The message a producer sends; {@code sentNanos} is when the producer handed it over. */
  public record Msg(int producer, long sentNanos, String payload) implements BenchSerializable {}

  /** The event. */
  public record Received(int producer, String payload) implements BenchSerializable {}

  interface Command {}

  private record Deliver(ConsumerController.Delivery<Msg> delivery) implements Command {}

  /** Told after each persisted message: by which producer it was sent, and when. */
  interface Listener {
    void consumed(Msg m);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Behavior<Command> create(
      PersistenceId id, ActorRef<ConsumerController.Start<Msg>> start, Listener listener) {
    return Behaviors.setup(ctx -> {
      ActorRef<ConsumerController.Delivery<Msg>> adapter =
          ctx.messageAdapter((Class) ConsumerController.Delivery.class, d -> new Deliver((ConsumerController.Delivery<Msg>) d));
      start.tell(new ConsumerController.Start<>(adapter));
      return new RdConsumer(id, listener);
    });
  }

  private final Listener listener;

  private RdConsumer(PersistenceId id, Listener listener) {
    super(id);
    this.listener = listener;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Command, Received, Long> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Deliver.class, (s, d) -> {
          Msg m = d.delivery().message();
          return Effect().persist(new Received(m.producer(), m.payload())).thenRun(after -> {
            d.delivery().confirmTo().tell(ConsumerController.confirmed());
            listener.consumed(m);
          });
        })
        .build();
  }

  @Override
  public EventHandler<Long, Received> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Received.class, (s, e) -> s + 1).build();
  }
}
