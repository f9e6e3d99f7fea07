package dev.rsm.actors;

import java.util.Objects;

/**
 * The address of a machine: its type name and its id. Machines are virtual: addressing one creates
 * it with its type's initial state, so every address is valid as long as its type is registered.
 */
public record Address(String type, String id) {
  public Address {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    if (type.isEmpty()) throw new IllegalArgumentException("machine type name must not be empty");
    if (id.isEmpty()) throw new IllegalArgumentException("machine id must not be empty");
  }

  public static Address of(String type, String id) {
    return new Address(type, id);
  }

  /** The Pekko persistence id of this machine's journal: {@code rsm|<type>|<id>}. */
  public String persistenceId() {
    return "rsm|" + type + "|" + id;
  }

  // Written out: the runtime looks addresses up in per-channel maps on every message, and the
  // generated record methods were measurably slower there (see the bench module).
  @Override
  public int hashCode() {
    return 31 * type.hashCode() + id.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Address a && id.equals(a.id) && type.equals(a.type));
  }

  @Override
  public String toString() {
    return type + "/" + id;
  }
}
