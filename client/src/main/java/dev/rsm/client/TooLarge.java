package dev.rsm.client;

/** 413: the input's JSON is over the node's {@code rsm.http.max-body}; nothing was handled. */
public final class TooLarge extends RsmException {
  public TooLarge(String message) {
    super(413, message);
  }
}
