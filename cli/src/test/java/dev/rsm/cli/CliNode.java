package dev.rsm.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.MachineType;
import dev.rsm.app.RsmNode;
import dev.rsm.app.sample.Account;
import dev.rsm.app.sample.Booking;
import dev.rsm.persistence.MachineModule;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.TestStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A real node for the tool to talk to, on H2 with management (the admin API) on free ports: the
 * bank and booking samples, and {@code tally} machines whose classes come from a jar compiled by
 * the test ({@link MachineJars}) and loaded by a class loader of their own, never from the test
 * class path.
 */
final class CliNode implements AutoCloseable {
  final Path tallyV1;
  final Config config;
  final RsmNode node;
  final String nodeUrl;
  final String adminUrl;
  private final URLClassLoader loader;

  private CliNode(Path tallyV1, Config config, RsmNode node, URLClassLoader loader) {
    this.tallyV1 = tallyV1;
    this.config = config;
    this.node = node;
    this.loader = loader;
    this.nodeUrl = "http://127.0.0.1:" + node.httpPort();
    this.adminUrl = "http://127.0.0.1:" + node.managementPort();
  }

  /** Compiles the tally jar (version 1) into {@code dir} and starts a node hosting it with the samples. */
  static CliNode start(Path dir) throws IOException {
    Path tallyV1 = MachineJars.tally(dir, "tally-v1", 1);
    URLClassLoader loader = new URLClassLoader(new URL[] {tallyV1.toUri().toURL()}, CliNode.class.getClassLoader());
    List<MachineType<?, ?>> types = new ArrayList<>(List.of(Account.TYPE, Booking.TYPE));
    for (MachineModule m : ServiceLoader.load(MachineModule.class, loader))
      if (m.getClass().getClassLoader() == loader) types.addAll(m.types());
    int artery = freePort();
    Config config = RsmConfig.load(ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.canonical.port", artery,
            "pekko.cluster.seed-nodes", List.of("pekko://rsm@127.0.0.1:" + artery),
            "rsm.sharding.data-dir", TestStores.tempDir("rsm-cli-sharding-").toString()))
        .withFallback(ConfigFactory.parseString("""
            pekko.coordinated-shutdown.exit-jvm = off
            rsm.http.port = 0
            rsm.node.management = on
            pekko.management.http.hostname = "127.0.0.1"
            pekko.management.http.port = 0
            """))
        .withFallback(TestStores.fresh(TestStores.H2)));
    // The node's ActorSystem takes the thread's context class loader: it reads tally's journaled
    // classes through it.
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return new CliNode(tallyV1, config, RsmNode.start(config, MachineRegistry.of(types)), loader);
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    node.close();
    loader.close();
  }
}
