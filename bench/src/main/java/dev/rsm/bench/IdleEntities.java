package dev.rsm.bench;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The heap mode's baselines, written as a Pekko user writes them: what one idle sharded entity
 * costs without RSM, as a plain {@code EventSourcedBehavior} and as a plain actor.
 */
final class IdleEntities {
  private IdleEntities() {}

  /** Reads the entity's counter (and so starts and recovers it). */
  record Get(ActorRef<Long> replyTo) {}

  /** A counter that keeps nothing: the floor of an actor under sharding. */
  static Behavior<Get> actor() {
    return Behaviors.receive(Get.class)
        .onMessage(Get.class, g -> {
          g.replyTo().tell(0L);
          return Behaviors.same();
        })
        .build();
  }

  /** A counter whose additions would be events: the floor of an event-sourced entity. */
  static final class Es extends EventSourcedBehavior<Get, Long, Long> {
    Es(PersistenceId id) {
      super(id);
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Get, Long, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Get.class, (s, g) -> Effect().none().thenRun(st -> g.replyTo().tell(st)))
          .build();
    }

    @Override
    public EventHandler<Long, Long> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onEvent(Long.class, (s, e) -> s + e).build();
    }
  }
}
