package dev.rsm.persistence.machines.v2;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.Counter.Add;
import dev.rsm.persistence.machines.Counter.AddAndTell;
import dev.rsm.persistence.machines.Counter.Input;
import dev.rsm.persistence.machines.Counter.State;
import dev.rsm.persistence.machines.Counter.Total;

/**
 * The counter after a careless upgrade: same type name and inputs, but {@code AddAndTell} now tells
 * the other counter twice the amount. Replaying a v1 journal with it must be caught.
 */
public final class CounterV2 extends Machine<Input, State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("counter", CounterV2::new);

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Add.class, (s, a, ctx) -> add(s, a.n()))
        .on(AddAndTell.class, (s, a, ctx) -> add(s, a.n()).send(Counter.TYPE, a.other(), new Add(2 * a.n())))
        .build();
  }

  private static Step<State> add(State s, long n) {
    State next = new State(s.total() + n, s.steps() + 1);
    return Step.to(next).reply(new Total(next.total()));
  }
}
