package dev.rsm.client;

/**
 * What a node answered instead of a reply, one subclass per kind of answer a caller acts on
 * differently. The message is the node's {@code "error"} text, which names what is wrong.
 *
 * <p>Only {@link Unavailable} leaves it open whether the input was handled; every other kind means
 * the request changed nothing (a 500 journaled nothing; a 422 handled nothing again).
 */
public abstract sealed class RsmException extends RuntimeException
    permits InvalidInput, NotFound, TooLarge, TooManyKeys, HandlerFailed, Unauthorized, Unavailable,
        UnexpectedResponse {
  private final int status;

  RsmException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status of the last answer; 0 when no node answered. */
  public int status() {
    return status;
  }
}
