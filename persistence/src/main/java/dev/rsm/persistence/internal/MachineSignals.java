package dev.rsm.persistence.internal;

import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import scala.Function1;
import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * INTERNAL API. The signals a machine's event-sourced behaviour handles, as one partial function:
 * Pekko's builder chains one {@code orElse} and a closure per case, some 400 bytes that every idle
 * machine would keep.
 */
final class MachineSignals extends AbstractPartialFunction<Tuple2<RuntimeState, Signal>, BoxedUnit> {
  private final MachineBehavior machine;

  MachineSignals(MachineBehavior machine) {
    this.machine = machine;
  }

  @Override
  public boolean isDefinedAt(Tuple2<RuntimeState, Signal> x) {
    Signal g = x._2();
    return g == RecoveryCompleted.instance() || g instanceof RecoveryFailed
        || g == PostStop.instance() || g == PreRestart.instance();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A1 extends Tuple2<RuntimeState, Signal>, B1> B1 applyOrElse(A1 x, Function1<A1, B1> otherwise) {
    Signal g = x._2();
    if (g == RecoveryCompleted.instance()) machine.onRecovered(x._1());
    else if (g instanceof RecoveryFailed f) machine.recoveryFailed(f.getFailure());
    else if (g == PostStop.instance() || g == PreRestart.instance()) machine.stopped();
    else return otherwise.apply(x);
    return (B1) BoxedUnit.UNIT;
  }
}
