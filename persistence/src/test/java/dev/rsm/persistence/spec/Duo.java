package dev.rsm.persistence.spec;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;

/**
 * The machines of {@code spec/rsm.pml}, A and B, as a user machine: an external input with key k
 * sends one message to the peer whose content is the step's mark {@code EXT(k)} (the model's
 * {@code psend = mk}) and, on A, (re-)arms the timer {@code t} with a new generation; a channel
 * message or a timer firing sends nothing.
 */
public final class Duo extends Machine<Duo.Input, Duo.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("duo", Duo::new);
  static final String TIMER = "t";

  public sealed interface Input permits Request, Message, Fire {}

  /** The caller's input with idempotency key {@code key}; {@code arm} on A only. */
  public record Request(int key, String peer, boolean arm, long timerMillis) implements Input {}

  /** A channel message; its content is the sender's mark. */
  public record Message(String content) implements Input {}

  /** The timer's firing. */
  public record Fire(String name) implements Input {}

  public record State(long steps) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Request.class, (s, r, ctx) -> {
          String mark = "EXT(" + r.key() + ")";
          Step<State> step = Step.to(new State(s.steps() + 1)).send(TYPE, r.peer(), new Message(mark));
          if (r.arm()) step.startTimer(TIMER, Duration.ofMillis(r.timerMillis()), new Fire(TIMER));
          return step.reply(mark);
        })
        .on(Message.class, (s, m, ctx) -> Step.to(new State(s.steps() + 1)))
        .on(Fire.class, (s, f, ctx) -> Step.to(new State(s.steps() + 1)))
        .build();
  }
}
