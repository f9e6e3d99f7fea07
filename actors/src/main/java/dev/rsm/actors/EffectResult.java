package dev.rsm.actors;

import java.util.Objects;

/**
 * The outcome of an effect ({@link Step#effect}), handed to the machine that requested it as an
 * input: to the handler it registered with {@link Handlers.Builder#onEffect} for the effect's name.
 * The effect itself runs at least once (again after a crash, with the same {@code key}); its
 * outcome is handled exactly once.
 *
 * @param effect the effect's name
 * @param key the idempotency key every attempt of this effect was given: the machine, the step
 *     that requested it and its position in that step ({@code type/id/step/index})
 * @param request what the step asked for
 * @param ok whether an attempt succeeded; false when every attempt the effect's retry policy allows
 *     failed
 * @param value what the successful attempt returned (may be null)
 * @param error the last attempt's failure, when not {@code ok}
 * @param attempts how many attempts this outcome took (those of an earlier incarnation that
 *     crashed before journaling an outcome are not counted)
 * @param <Q> the request's type
 */
public record EffectResult<Q>(String effect, String key, Q request, boolean ok, Object value, String error,
    int attempts) {

  public EffectResult {
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(key, "key");
  }

  /**
   * The value as {@code type}.
   *
   * @throws IllegalStateException if the effect failed, or its value is not a {@code type}
   */
  public <R> R value(Class<R> type) {
    if (!ok) throw new IllegalStateException("effect " + effect + " " + key + " failed: " + error);
    if (!type.isInstance(value))
      throw new IllegalStateException("effect " + effect + " " + key + " returned "
          + (value == null ? "nothing" : value.getClass().getName()) + ", not " + type.getName());
    return type.cast(value);
  }
}
