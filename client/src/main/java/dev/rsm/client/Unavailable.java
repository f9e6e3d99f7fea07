package dev.rsm.client;

import java.util.List;

/**
 * No node answered the call before its deadline: every attempt got a 503, timed out or found no
 * connection. For an input the outcome is unknown: it may have been handled. Asking again with the
 * same idempotency key is safe and returns its reply if it was.
 *
 * <p>A request without a key ends here after its first failed attempt.
 */
public final class Unavailable extends RsmException {
  private final List<Attempt> attempts;

  public Unavailable(String message, List<Attempt> attempts) {
    super(attempts.isEmpty() ? 0 : attempts.get(attempts.size() - 1).status(), message + "; attempts: " + attempts);
    this.attempts = List.copyOf(attempts);
  }

  /** Every attempt made, in order. */
  public List<Attempt> attempts() {
    return attempts;
  }
}
