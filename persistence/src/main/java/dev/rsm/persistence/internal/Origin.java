package dev.rsm.persistence.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.rsm.actors.Address;

/**
 * INTERNAL API. Where an input came from; journaled with the step, it is the deduplication key.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "o")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Origin.Channel.class, name = "c"),
  @JsonSubTypes.Type(value = Origin.External.class, name = "e"),
  @JsonSubTypes.Type(value = Origin.Timer.class, name = "t"),
  @JsonSubTypes.Type(value = Origin.Effect.class, name = "f")
})
public sealed interface Origin extends RsmSerializable {

  /** Message number {@code seq} on the channel from machine {@code from} to this machine. */
  record Channel(Address from, long seq) implements Origin {
    @Override
    public String toString() {
      return from + "#" + seq;
    }
  }

  /** An external caller; {@code key} is its idempotency key or {@code null}. */
  record External(String key) implements Origin {
    @Override
    public String toString() {
      return key == null ? "external" : "external key=" + key;
    }
  }

  /**
   * The outcome of the machine's effect {@code id} ({@link StepTaken#effectId}): handled once, as
   * the journal keeps the effect pending until a step with this origin.
   */
  record Effect(String id) implements Origin {
    @Override
    public String toString() {
      return "effect:" + id;
    }
  }

  /** Firing {@code generation} of the timer {@code name}. */
  record Timer(String name, long generation) implements Origin {
    @Override
    public String toString() {
      return "timer:" + name + ":" + generation;
    }
  }
}
