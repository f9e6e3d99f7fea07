package dev.rsm.persistence.internal;

import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import java.time.Clock;

/**
 * INTERNAL API. What every machine of a node shares: settings, the hosted types, the delivery
 * transport, the clock that recorded times are read from, the fault injector (tests only), the
 * step observer (benchmarks, metrics), whether the node may answer for a machine (leases) and what
 * executes the machines' effects ({@link EffectRunner}).
 */
public record MachineEnvironment(
    RuntimeSettings settings,
    MachineRegistry registry,
    Transport transport,
    Clock clock,
    FaultInjector faults,
    StepObserver observer,
    Tenure tenure,
    EffectRunner effects) {

  public MachineEnvironment(
      RuntimeSettings settings, MachineRegistry registry, Transport transport, Clock clock,
      FaultInjector faults, StepObserver observer, Tenure tenure) {
    this(settings, registry, transport, clock, faults, observer, tenure, EffectRunner.NONE);
  }

  public MachineEnvironment(
      RuntimeSettings settings, MachineRegistry registry, Transport transport, Clock clock,
      FaultInjector faults, StepObserver observer) {
    this(settings, registry, transport, clock, faults, observer, Tenure.ALWAYS);
  }

  public MachineEnvironment(
      RuntimeSettings settings, MachineRegistry registry, Transport transport, Clock clock,
      FaultInjector faults) {
    this(settings, registry, transport, clock, faults, StepObserver.NONE);
  }
}
