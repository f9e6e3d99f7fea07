package dev.rsm.client;

/**
 * An answer the HTTP API does not give: another status (a proxy's 502, a 405), or a body that is
 * not the JSON it should be. Not retried.
 */
public final class UnexpectedResponse extends RsmException {
  public UnexpectedResponse(int status, String message) {
    super(status, message);
  }
}
