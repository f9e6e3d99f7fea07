package dev.rsm.persistence.internal;

import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.Transport;
import java.time.Clock;

/**
 * INTERNAL API. What every machine of a node shares: settings, the hosted types, the delivery
 * transport, the clock that recorded times are read from, and the fault injector (tests only).
 */
public record MachineEnvironment(
    RuntimeSettings settings,
    MachineRegistry registry,
    Transport transport,
    Clock clock,
    FaultInjector faults) {}
