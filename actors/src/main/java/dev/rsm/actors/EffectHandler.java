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
   * outcome; may be null). Throwing fails this attempt, and the effect is tried again per its retry
   * policy; throwing {@link Final} fails the effect at once (a declined card: retrying cannot help).
   */
  Object execute(Q request, Attempt attempt) throws Exception;

  /**
   * A failure no further attempt can change: the machine is handed the failed outcome without
   * retries. Extend it for the failures of a system that says so (an HTTP 4xx, a declined card).
   */
  class Final extends Exception {
    private static final long serialVersionUID = 1L;

    public Final(String message) {
      super(message);
    }

    public Final(String message, Throwable cause) {
      super(message, cause);
    }
  }

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
