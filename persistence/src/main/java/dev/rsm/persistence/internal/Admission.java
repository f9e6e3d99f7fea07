package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.Protocol.Ingress;
import java.time.Clock;

/**
 * INTERNAL API. Whether an external input becomes a step, checked in this order: a repeated
 * idempotency key gets its recorded reply (or, with another input, is refused as reused); an input
 * of another type is invalid; a new key beyond {@code idempotency.max-keys} is refused while every
 * remembered key is within its retention ({@code when-full = refuse}); a machine over {@code
 * delivery.max-unacked} takes no new work.
 */
final class Admission {
  private Admission() {}

  /**
   * Null when {@code in} is to be handled; else the answer instead: {@link IngressResult.Replied}
   * (duplicate) for a repeated key, which must not leave before the step it repeats is written.
   */
  static IngressResult refusal(RuntimeState s, Ingress in, MachineType<?, ?> type, Address self,
      RuntimeSettings settings, Clock clock, JournalValues values) {
    if (in.key() != null) {
      IdempotencyCache.Entry seen = s.keys.get(in.key());
      if (seen != null && seen.fingerprint() != 0 && seen.fingerprint() != values.fingerprint(in.input()))
        return new IngressResult.KeyReused("idempotency key '" + in.key() + "' was used before with a "
            + "different request to machine " + self + "; a retry must repeat the request exactly, and a new "
            + "request needs a new key");
      if (seen != null) return new IngressResult.Replied(seen.reply(), true, s.seqNr);
    }
    if (!type.accepts(in.input()))
      return new IngressResult.Invalid(
          StepRecorder.describe(in.input()) + " is not an input of machine type " + type.name());
    if (in.key() != null && settings.idempotencyRefuseWhenFull() && s.keys.size() >= settings.idempotencyMaxKeys()) {
      long expires = s.keys.oldestTime() + settings.idempotencyRetentionMillis() - clock.millis();
      if (expires > 0) // no key to forget: refused rather than forgetting one within retention
        return new IngressResult.TooManyKeys("machine " + self + " remembers "
            + s.keys.size() + " idempotency keys younger than " + settings.idempotencyRetention()
            + " (rsm.persistence.idempotency.max-keys); the oldest expires in " + (expires + 999) / 1000
            + " s. Retry then, or send without a key", expires);
    }
    if (overloaded(s, settings))
      return new IngressResult.Unavailable(IngressResult.Unavailable.Reason.OVERLOADED,
          "machine " + self + " has " + s.unacked + " unacknowledged outputs; retry later");
    return null;
  }

  /** Back-pressure: over {@code delivery.max-unacked}, ingress and timer firings wait. */
  static boolean overloaded(RuntimeState s, RuntimeSettings settings) {
    return s.unacked >= settings.maxUnacked();
  }
}
