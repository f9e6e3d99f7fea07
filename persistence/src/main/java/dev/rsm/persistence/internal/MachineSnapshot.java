package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.StepTaken.Sent;
import java.util.List;

/**
 * INTERNAL API. The immutable, serialized form of a machine's runtime state: user state, inbox
 * high-water marks, outbox, idempotency cache and armed timers.
 */
public record MachineSnapshot(
    @Payload Object state,
    long seqNr,
    List<Inbound> inbox,
    List<Outbound> outbox,
    List<Key> keys,
    List<Armed> timers,
    long timerGeneration,
    List<Pending> effects,
    List<String> timedOutCalls)
    implements RsmSerializable {

  public MachineSnapshot {
    effects = effects == null ? List.of() : effects;
    timedOutCalls = timedOutCalls == null ? List.of() : timedOutCalls;
  }

  /** Without pending effects or timed-out calls. */
  public MachineSnapshot(Object state, long seqNr, List<Inbound> inbox, List<Outbound> outbox, List<Key> keys,
      List<Armed> timers, long timerGeneration) {
    this(state, seqNr, inbox, outbox, keys, timers, timerGeneration, List.of(), List.of());
  }

  /** An effect requested and not yet handled: its id ({@link StepTaken#effectId}), name and request. */
  public record Pending(String id, String name, @Payload Object request) implements RsmSerializable {}

  /** An incoming channel: its high-water mark and the input handled under it (null if unknown). */
  public record Inbound(Address from, long hw, @Payload Object last) implements RsmSerializable {}

  public record Outbound(Address to, long lastSeq, long acked, List<Sent> unacked)
      implements RsmSerializable {}

  /** An idempotency key: its reply, step time and input fingerprint (0: unknown). */
  public record Key(String key, @Payload Object reply, long time, long fingerprint) implements RsmSerializable {}

  public record Armed(String name, long generation, long deadline, @Payload Object input)
      implements RsmSerializable {}
}
