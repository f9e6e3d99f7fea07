package dev.rsm.client;

/** 401: the node requires a bearer token ({@code rsm.http.auth}) and got none or a wrong one. */
public final class Unauthorized extends RsmException {
  public Unauthorized(String message) {
    super(401, message);
  }
}
