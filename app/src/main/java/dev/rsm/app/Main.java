package dev.rsm.app;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;

/**
 * Starts a node with the bundled sample ({@link Account}). Configuration comes from {@code
 * application.conf}, or the file named by {@code -Dconfig.file=config/<profile>.conf}, with {@code
 * -D} overrides on top (for example {@code -Drsm.http.port=8081}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    init(MachineRegistry.of(Account.TYPE));
  }

  /** Starts a node hosting {@code registry}; the JVM exits when the node shuts down. */
  public static RsmNode init(MachineRegistry registry) {
    return RsmNode.start(
        RsmConfig.load(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")), registry);
  }
}
