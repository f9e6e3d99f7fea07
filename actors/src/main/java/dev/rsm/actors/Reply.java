package dev.rsm.actors;

import java.util.Objects;

/**
 * The answer to a call ({@link Step#call}), handed to the calling machine as an input: to the
 * handler it registered with {@link Handlers.Builder#onReply} for the request's class. Each call
 * gets exactly one answer, exactly once: the callee's reply, the callee's refusal of the input, or
 * the call's timeout, whichever the caller's journal records first; a reply that arrives after the
 * timeout was handled is journaled and ignored.
 *
 * @param from the machine that was called
 * @param call the call's number on the channel from the caller to {@code from} (unique per callee
 *     for this caller; it correlates the answer with the call)
 * @param request the input the call carried
 * @param status how the call ended
 * @param value the callee's reply ({@link Step#reply}) when {@link Status#OK}, else null; also null
 *     when the callee's step set no reply
 * @param error why the call failed, when not {@link Status#OK}
 * @param <Q> the request's type
 */
public record Reply<Q>(Address from, long call, Q request, Status status, Object value, String error) {

  /** How a call ended. */
  public enum Status {
    /** The callee handled the request; {@code value} is its step's reply. */
    OK,
    /**
     * The callee refused the request: not one of its inputs, or its handler failed on it {@code
     * max-attempts} times (a poison input). Its state did not change.
     */
    REJECTED,
    /** No answer within the call's timeout; the callee may still handle (or have handled) it. */
    TIMED_OUT
  }

  public Reply {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(status, "status");
  }

  /** Whether the callee handled the request. */
  public boolean ok() {
    return status == Status.OK;
  }

  /**
   * The callee's reply as {@code type}.
   *
   * @throws IllegalStateException if the call did not end {@link Status#OK}, or the reply is not a
   *     {@code type}
   */
  public <R> R value(Class<R> type) {
    if (status != Status.OK)
      throw new IllegalStateException("call " + call + " to " + from + " ended " + status + ": " + error);
    if (!type.isInstance(value))
      throw new IllegalStateException("call " + call + " to " + from + " replied "
          + (value == null ? "nothing" : value.getClass().getName()) + ", not " + type.getName());
    return type.cast(value);
  }
}
