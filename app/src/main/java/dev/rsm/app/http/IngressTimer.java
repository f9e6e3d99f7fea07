package dev.rsm.app.http;

/**
 * Where {@link MachineRoutes} reports how long each request to a machine took, from the moment its
 * path matched until its response was ready. Called on the HTTP server's threads, once per
 * request; it must be cheap and must not block.
 */
@FunctionalInterface
public interface IngressTimer {
  IngressTimer NONE = (type, method, status, nanos) -> {};

  /**
   * @param type the machine type named in the path, when the node hosts it; else {@code "unknown"}
   *     (so that a client cannot create a series per name it makes up)
   * @param method the HTTP method, lower case ({@code post}, {@code get}, ...)
   * @param status the response's status code
   * @param nanos the time taken
   */
  void record(String type, String method, int status, long nanos);
}
