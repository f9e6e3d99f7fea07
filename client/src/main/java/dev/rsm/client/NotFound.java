package dev.rsm.client;

/** 404: the node hosts no machine type of that name (the message lists the ones it hosts). */
public final class NotFound extends RsmException {
  public NotFound(String message) {
    super(404, message);
  }
}
