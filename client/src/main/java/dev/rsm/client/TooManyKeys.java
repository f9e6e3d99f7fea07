package dev.rsm.client;

import java.time.Duration;

/**
 * 429: the machine remembers as many unexpired idempotency keys as it may, so it takes no new one
 * until {@link #retryAfter()}; nothing was handled. Not retried: the wait is usually far longer
 * than a call's deadline.
 */
public final class TooManyKeys extends RsmException {
  private final Duration retryAfter;

  public TooManyKeys(String message, Duration retryAfter) {
    super(429, message);
    this.retryAfter = retryAfter;
  }

  /** When the oldest remembered key expires (the response's {@code Retry-After}). */
  public Duration retryAfter() {
    return retryAfter;
  }
}
