package dev.rsm.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.rsm.persistence.internal.Payload;
import dev.rsm.persistence.internal.RsmSerializable;

/**
 * The outcome of an external input sent with {@link Machines#ask}. Exactly one of:
 *
 * <ul>
 *   <li>{@link Replied} — the input was handled (now, or earlier when {@code duplicate} is true and
 *       the idempotency key had been seen; then the reply is the recorded one and nothing was
 *       handled again).
 *   <li>{@link Invalid} — the input is not one of the machine type's inputs; nothing was journaled.
 *   <li>{@link Failed} — the handler threw; nothing was journaled and the state is unchanged.
 *   <li>{@link KeyReused} — the idempotency key came before with a different input.
 *   <li>{@link TooManyKeys} — the machine remembers as many idempotency keys as it may, none of
 *       them expired; nothing was handled.
 *   <li>{@link Unavailable} — the machine could not take the input now ({@link
 *       Unavailable.Reason#OVERLOADED OVERLOADED}: back-pressured), or it stopped before confirming
 *       it ({@link Unavailable.Reason#NOT_CONFIRMED NOT_CONFIRMED}: journal write failed, fenced by
 *       another writer, crash), or its node does not hold the machine's lease now ({@link
 *       Unavailable.Reason#NOT_LEASED NOT_LEASED}: nothing handled). In the second case the step may
 *       have been journaled: retry with the same key to get the recorded reply or have it handled
 *       once.
 * </ul>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "r")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IngressResult.Replied.class, name = "ok"),
  @JsonSubTypes.Type(value = IngressResult.Invalid.class, name = "invalid"),
  @JsonSubTypes.Type(value = IngressResult.Failed.class, name = "failed"),
  @JsonSubTypes.Type(value = IngressResult.Unavailable.class, name = "unavailable"),
  @JsonSubTypes.Type(value = IngressResult.KeyReused.class, name = "key-reused"),
  @JsonSubTypes.Type(value = IngressResult.TooManyKeys.class, name = "too-many-keys")
})
public sealed interface IngressResult extends RsmSerializable {

  /** Handled; {@code reply} is the step's reply or null; {@code seqNr} is its journal position. */
  record Replied(@Payload Object reply, boolean duplicate, long seqNr) implements IngressResult {}

  record Invalid(String error) implements IngressResult {}

  /**
   * The handler threw; nothing was journaled. {@code error} says which machine and input, not the
   * exception (which may hold internals); the node logs that at WARN with {@code errorId}, which
   * is new for every failure (the error text is the same for the same input).
   */
  record Failed(String error, String errorId) implements IngressResult {}

  /**
   * The machine did not handle the input now; {@link #reason()} says whether it may have been
   * journaled, and so how to retry. {@code error} is for people, not for code.
   */
  record Unavailable(Reason reason, String error) implements IngressResult {

    /** Why the input was not confirmed. */
    public enum Reason {
      /**
       * Back-pressure: the machine has {@code rsm.persistence.delivery.max-unacked} unacknowledged
       * outputs. Nothing was handled; retry later.
       */
      OVERLOADED,
      /**
       * The machine stopped before confirming the step (journal write failed, fenced by another
       * writer, crash): it may have been journaled. Retry with the same idempotency key.
       */
      NOT_CONFIRMED,
      /**
       * The machine's node does not hold the lease of the machine's shard now (it lost it, or is
       * taking it over): nothing was handled. Retry; the machine answers again once its node holds
       * the lease, or from the node that takes it over.
       */
      NOT_LEASED
    }
  }

  /**
   * The idempotency key was used before with a different input: nothing was handled, and the
   * first request's reply is not given to this one (HTTP 422).
   */
  record KeyReused(String error) implements IngressResult {}

  /**
   * The machine already remembers {@code rsm.persistence.idempotency.max-keys} keys younger than
   * {@code .retention} (with {@code idempotency.when-full = refuse}): nothing was handled. The
   * oldest key expires in {@code retryAfterMillis}; an input sent without a key is handled now
   * (HTTP 429 with {@code Retry-After}).
   */
  record TooManyKeys(String error, long retryAfterMillis) implements IngressResult {}
}
