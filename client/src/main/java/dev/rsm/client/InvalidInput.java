package dev.rsm.client;

/**
 * 400 or 422: the node refused the input before handling it, and nothing was journaled. Sending it
 * again changes nothing; the message says what to fix (a field, the input's name, the machine id).
 */
public final class InvalidInput extends RsmException {
  public InvalidInput(int status, String message) {
    super(status, message);
  }

  /** 422: the idempotency key was used before with a different input. */
  public boolean keyReused() {
    return status() == 422;
  }
}
