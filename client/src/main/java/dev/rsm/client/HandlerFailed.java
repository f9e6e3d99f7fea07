package dev.rsm.client;

/**
 * 500: the machine's handler threw. Nothing was journaled and the state is unchanged; the node's
 * log has the exception under {@link #errorId()}.
 */
public final class HandlerFailed extends RsmException {
  private final String errorId;

  public HandlerFailed(String message, String errorId) {
    super(500, message);
    this.errorId = errorId;
  }

  /** The id under which the node logged the exception; null if the node sent none. */
  public String errorId() {
    return errorId;
  }
}
