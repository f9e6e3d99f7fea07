package dev.rsm.app.machines;

import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineModule;
import java.util.List;

/** A module of a machine type that is not a sample, as a user's jar would register it. */
public final class BrittleModule implements MachineModule {
  @Override
  public List<MachineType<?, ?>> types() {
    return List.of(Brittle.TYPE);
  }
}
