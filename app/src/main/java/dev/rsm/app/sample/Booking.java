package dev.rsm.app.sample;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A sample of durable timers: seats of one show. A hold lasts 15 minutes unless confirmed; its
 * expiry is a timer journaled with the hold, so it fires (once) even if the node restarts
 * meanwhile, and a confirmation cancels it, so a sold seat is never released.
 */
public final class Booking extends Machine<Booking.Input, Booking.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("booking", Booking::new);
  public static final Duration HOLD_FOR = Duration.ofMinutes(15);

  public sealed interface Input permits Hold, Confirm, Expire {}
  public record Hold(String seat) implements Input {}
  public record Confirm(String seat) implements Input {}
  public record Expire(String seat) implements Input {}   // delivered by the timer

  public enum Outcome { HELD, SOLD, UNAVAILABLE, NOT_HELD }

  /** Seats on hold, each with its expiry timer armed, and seats sold. */
  public record State(Set<String> held, Set<String> sold) {
    public State {
      held = Set.copyOf(held);
      sold = Set.copyOf(sold);
    }

    boolean free(String seat) {
      return !held.contains(seat) && !sold.contains(seat);
    }

    State hold(String seat) {
      return new State(with(held, seat), sold);
    }

    State sell(String seat) {
      return new State(without(held, seat), with(sold, seat));
    }

    State release(String seat) {
      return new State(without(held, seat), sold);
    }

    private static Set<String> with(Set<String> seats, String seat) {
      Set<String> copy = new HashSet<>(seats);
      copy.add(seat);
      return copy;
    }

    private static Set<String> without(Set<String> seats, String seat) {
      Set<String> copy = new HashSet<>(seats);
      copy.remove(seat);
      return copy;
    }
  }

  @Override
  public State initialState() {
    return new State(Set.of(), Set.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Hold.class, this::hold)
        .on(Confirm.class, this::confirm)
        .on(Expire.class, (s, e, ctx) -> Step.to(s.release(e.seat())))
        .build();
  }

  private Step<State> hold(State s, Hold h, Context ctx) {
    if (!s.free(h.seat())) return Step.<State>stay().reply(Outcome.UNAVAILABLE);
    return Step.to(s.hold(h.seat()))
        .startTimer("hold-" + h.seat(), HOLD_FOR, new Expire(h.seat()))
        .reply(Outcome.HELD);
  }

  private Step<State> confirm(State s, Confirm c, Context ctx) {
    if (!s.held().contains(c.seat())) return Step.<State>stay().reply(Outcome.NOT_HELD);   // never held, or expired
    return Step.to(s.sell(c.seat()))
        .cancelTimer("hold-" + c.seat())                     // its Expire will never be handled
        .reply(Outcome.SOLD);
  }
}
