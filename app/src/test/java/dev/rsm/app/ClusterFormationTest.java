package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/**
 * A node configured for Cluster Bootstrap in a way that cannot work refuses to start, naming the
 * key to change, instead of never joining (or joining two clusters).
 */
class ClusterFormationTest {
  static Config bootstrap(String extra) {
    return ConfigFactory.parseString("rsm.node.bootstrap = on\n" + extra)
        .withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void bootstrapWithManagementAndNoSeedNodesIsAccepted() {
    assertDoesNotThrow(() -> ClusterFormation.check(bootstrap(""), false));
  }

  @Test
  void bootstrapWithSeedNodesIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        ClusterFormation.check(bootstrap("pekko.cluster.seed-nodes = [\"pekko://rsm@10.0.0.1:25520\"]"), false));
    assertTrue(e.getMessage().contains("pekko.cluster.seed-nodes = []"), e.getMessage());
  }

  @Test
  void bootstrapWithoutManagementIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        ClusterFormation.check(bootstrap("rsm.node.management = off"), false));
    assertTrue(e.getMessage().contains("rsm.node.management = on"), e.getMessage());
  }

  @Test
  void bootstrapBehindManagementTokensIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> ClusterFormation.check(bootstrap(""), true));
    assertTrue(e.getMessage().contains("rsm.node.management-auth = off"), e.getMessage());
  }
}
