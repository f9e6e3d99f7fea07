package dev.rsm.persistence.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rsm.actors.Address;
import java.util.List;

/**
 * INTERNAL API. The one event journaled per handled input: the origin (deduplication mark), the
 * input, the recorded time and seed the handler saw, every output with its channel sequence number,
 * the reply, the timer changes and the effects requested. Either all of it happened or none of it did.
 *
 * <p>{@code rejected} is non-null when the input failed {@code max-attempts} times: the state is
 * unchanged, there are no outputs, and the origin is marked handled so its channel moves on.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record StepTaken(
    Origin origin,
    @Payload Object input,
    long time,
    long seed,
    List<Sent> sends,
    @Payload Object reply,
    List<TimerSet> timers,
    String rejected,
    List<EffectAsked> effects)
    implements Event {

  public StepTaken {
    sends = sends == null ? List.of() : sends;
    timers = timers == null ? List.of() : timers;
    effects = effects == null ? List.of() : effects;
  }

  /** A step that requests no effect. */
  public StepTaken(Origin origin, Object input, long time, long seed, List<Sent> sends, Object reply,
      List<TimerSet> timers, String rejected) {
    this(origin, input, time, seed, sends, reply, timers, rejected, List.of());
  }

  /**
   * An effect the step requested: {@code name} with {@code request}. Its id is the step's sequence
   * number and its position among the step's effects ({@link #effectId}).
   */
  public record EffectAsked(String name, @Payload Object request) implements RsmSerializable {}

  /** The id of the effect at {@code index} of the step {@code seqNr}. */
  public static String effectId(long seqNr, int index) {
    return seqNr + "/" + index;
  }

  /** One send: {@code input} to {@code to}, number {@code seq} on that channel. */
  public record Sent(Address to, long seq, @Payload Object input) implements RsmSerializable {}

  /**
   * A timer change: armed with {@code generation} until {@code deadline} (epoch ms) to deliver
   * {@code input}, or cancelled when {@code input} is null.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TimerSet(String name, long generation, long deadline, @Payload Object input)
      implements RsmSerializable {
    public boolean isCancel() {
      return input == null;
    }
  }
}
