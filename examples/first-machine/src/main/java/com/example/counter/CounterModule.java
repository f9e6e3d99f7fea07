package com.example.counter;

import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineModule;
import java.util.List;

/**
 * This jar's machine types, for a node: listed in {@code
 * META-INF/services/dev.rsm.persistence.MachineModule}, so a node with this jar on its class path
 * hosts them (or name this class in {@code rsm.node.machines}).
 */
public final class CounterModule implements MachineModule {
  @Override
  public List<MachineType<?, ?>> types() {
    return List.of(Counter.TYPE);
  }
}
