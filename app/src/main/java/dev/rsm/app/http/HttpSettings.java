package dev.rsm.app.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The settings of the HTTP ingress, from {@code rsm.http} (documented in reference.conf). */
public record HttpSettings(String hostname, int port, long maxBody, Duration requestTimeout, int retryAfterSeconds) {
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("rsm.http");
    return new HttpSettings(
        c.getString("hostname"),
        c.getInt("port"),
        c.getBytes("max-body"),
        c.getDuration("request-timeout"),
        (int) c.getDuration("retry-after").toSeconds());
  }
}
