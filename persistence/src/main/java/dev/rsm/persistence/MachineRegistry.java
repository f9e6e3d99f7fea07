package dev.rsm.persistence;

import dev.rsm.actors.MachineType;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The machine types a node hosts, by name. Immutable. */
public final class MachineRegistry {
  private final Map<String, MachineType<?, ?>> byName;

  private MachineRegistry(Map<String, MachineType<?, ?>> byName) {
    this.byName = byName;
  }

  /** @throws IllegalArgumentException if two types share a name */
  public static MachineRegistry of(Collection<? extends MachineType<?, ?>> types) {
    Map<String, MachineType<?, ?>> m = new LinkedHashMap<>();
    for (MachineType<?, ?> t : types)
      if (m.put(t.name(), t) != null)
        throw new IllegalArgumentException("two machine types named '" + t.name() + "'");
    return new MachineRegistry(java.util.Collections.unmodifiableMap(m)); // keeps declaration order
  }

  public static MachineRegistry of(MachineType<?, ?>... types) {
    return of(List.of(types));
  }

  public Optional<MachineType<?, ?>> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** @throws UnknownMachineTypeException if no type has this name */
  public MachineType<?, ?> get(String name) {
    MachineType<?, ?> t = byName.get(name);
    if (t == null) throw new UnknownMachineTypeException(name, byName.keySet());
    return t;
  }

  public Collection<MachineType<?, ?>> types() {
    return byName.values();
  }

  /** No machine type has the requested name. */
  public static final class UnknownMachineTypeException extends IllegalArgumentException {
    public UnknownMachineTypeException(String name, Collection<String> known) {
      super("unknown machine type '" + name + "'; known types: " + known);
    }
  }
}
