package dev.rsm.bench;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.delivery.ShardingProducerController;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.delivery.EventSourcedProducerQueue;

/**
 * The rd baseline's producer: owns a {@code ShardingProducerController} whose durable queue is an
 * {@code EventSourcedProducerQueue}, and keeps at most {@code quota} messages handed over and not
 * yet persisted by their consumer, sent to entities chosen like rsm's routes.
 */
final class RdProducer extends AbstractBehavior<RdProducer.Command> {
  interface Command {}

  private record Next(ShardingProducerController.RequestNext<RdConsumer.Msg> next) implements Command {}

  /** A message of this producer was persisted by its consumer. */
  record Consumed() implements Command {}

  static Behavior<Command> create(int index, String producerId, int quota, int entities, String payload,
      ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<RdConsumer.Msg>>> region) {
    return Behaviors.setup(ctx -> new RdProducer(ctx, index, producerId, quota, entities, payload, region));
  }

  private final int index;
  private final int quota;
  private final int entities;
  private final String payload;
  private ShardingProducerController.RequestNext<RdConsumer.Msg> pending;
  private int inFlight;
  private long sent;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private RdProducer(ActorContext<Command> ctx, int index, String producerId, int quota, int entities,
      String payload, ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<RdConsumer.Msg>>> region) {
    super(ctx);
    this.index = index;
    this.quota = quota;
    this.entities = entities;
    this.payload = payload;
    ActorRef<ShardingProducerController.RequestNext<RdConsumer.Msg>> adapter =
        ctx.messageAdapter((Class) ShardingProducerController.RequestNext.class,
            r -> new Next((ShardingProducerController.RequestNext<RdConsumer.Msg>) r));
    ActorRef<ShardingProducerController.Command<RdConsumer.Msg>> controller = ctx.spawn(
        ShardingProducerController.create(RdConsumer.Msg.class, producerId, region,
            Optional.of(EventSourcedProducerQueue.create(PersistenceId.ofUniqueId(producerId)))),
        "controller");
    controller.tell(new ShardingProducerController.Start<>(adapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Next.class, n -> {
          pending = n.next();
          return trySend();
        })
        .onMessage(Consumed.class, c -> {
          inFlight--;
          return trySend();
        })
        .build();
  }

  private Behavior<Command> trySend() {
    if (pending != null && inFlight < quota) {
      int to = Route.pick(index, sent++, entities);
      pending.sendNextTo().tell(new ShardingEnvelope<>("r-" + to,
          new RdConsumer.Msg(index, System.nanoTime(), payload)));
      pending = null;
      inFlight++;
    }
    return this;
  }
}
