package dev.rsm.actors;

/**
 * Executes one kind of effect outside the machines: charges a card, calls another service, sends
 * an e-mail. Registered with the runtime by name ({@code RuntimeOptions.withEffect}); it runs on
 * the runtime's effect threads, never on a machine's, and may block.
 *
 * <p>It runs <em>at least once</em> per requested effect: again when an attempt fails or times out
 * (per the effect's retry policy) and again after a crash before the outcome was journaled. Every
 * attempt of one effect carries the same {@link Attempt#idempotencyKey()}: pass it to the external
 * system (an {@code Idempotency-Key} header, a unique column) so that it does the work once.
 *
 * @param <Q> the request type
 */
@FunctionalInterface
public interface EffectHandler<Q> {

  /**
   * Performs the effect; returns its value (a record, string, number or boolean, journaled with the
   * outcome; may be null). Throwing fails this attempt.
   */
  Object execute(Q request, Attempt attempt) throws Exception;

  /** What an attempt knows besides its request. */
  interface Attempt {
    /** The same for every attempt of this effect, across crashes and nodes. */
    String idempotencyKey();

    /** The machine that requested the effect. */
    Address machine();

    /** 1 for the first attempt this incarnation makes, then 2, 3, ... */
    int number();
  }
}
