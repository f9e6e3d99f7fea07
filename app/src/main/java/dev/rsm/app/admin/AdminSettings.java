package dev.rsm.app.admin;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of {@code rsm.admin} (see reference.conf): whether the admin API and the console
 * are served, page sizes, and the bounds that keep an admin request cheap for the node.
 */
public record AdminSettings(boolean enabled, boolean console, int defaultPage, int maxPage, Duration timeout,
    int readThreads, int recentRejections, int idsPerNode) {

  public static AdminSettings fromConfig(Config config) {
    Config c = config.getConfig("rsm.admin");
    AdminSettings s = new AdminSettings(c.getBoolean("enabled"), c.getBoolean("console"), c.getInt("default-page"),
        c.getInt("max-page"), c.getDuration("timeout"), c.getInt("read-threads"), c.getInt("recent-rejections"),
        c.getInt("cluster-ids-per-node"));
    if (s.defaultPage < 1 || s.defaultPage > s.maxPage)
      throw new IllegalArgumentException("rsm.admin.default-page must be 1 to rsm.admin.max-page (" + s.maxPage + ")");
    if (s.readThreads < 1) throw new IllegalArgumentException("rsm.admin.read-threads must be at least 1");
    return s;
  }
}
