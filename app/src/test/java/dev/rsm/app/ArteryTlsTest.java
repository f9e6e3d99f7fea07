package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.TestCerts;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication, configured by config/security.conf: a node with the
 * cluster's certificate joins; a node with another certificate cannot, even though it trusts the
 * cluster's, and the cluster keeps serving.
 */
class ArteryTlsTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE);

  /** The profile's Artery section, with this test's key stores in place of /etc/rsm's. */
  static Config artery(TestCerts key, TestCerts trust) {
    Config profile = ConfigFactory.parseFile(Path.of("..", "config", "security.conf").toFile())
        .withOnlyPath("pekko.remote.artery");
    String p = "pekko.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.parseMap(Map.of(
            p + "key-store", key.keyStore().toString(),
            p + "key-store-password", key.password(),
            p + "key-password", key.password(),
            p + "trust-store", trust.trustStore().toString(),
            p + "trust-store-password", trust.password()))
        .withFallback(profile);
  }

  static Set<String> upMembers(RsmNode node) {
    Set<String> up = new HashSet<>();
    for (Member m : Cluster.get(node.system()).state().getMembers())
      if (m.status() == MemberStatus.up()) up.add(m.address().toString());
    return up;
  }

  @Test
  void aNodeWithTheClustersCertificateJoinsAndOneWithAnotherCannot(@TempDir Path dir) {
    TestCerts clusterCert = TestCerts.generate(dir, "cluster");
    TestCerts otherCert = TestCerts.generate(dir, "intruder");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, artery(clusterCert, clusterCert))) {
      RsmNode a = cluster.start();
      RsmNode b = cluster.start();
      cluster.awaitUp(2);
      assertEquals("tls-tcp", a.system().settings().config().getString("pekko.remote.artery.transport"));
      Set<String> members = upMembers(a);

      try (LogLines logs = new LogLines()) {
        // The intruder has its own key, and trusts the cluster's certificate (which is public).
        RsmNode intruder = cluster.start(artery(otherCert, clusterCert));
        // The seed refuses the intruder's certificate during the handshake; the intruder logs the
        // alert it got back (with JSSE: "SSLHandshakeException: Received fatal alert: bad_certificate").
        String seed = Cluster.get(a.system()).selfMember().address().toString();
        Await.until("the seed refused the intruder's TLS handshake", Duration.ofSeconds(30),
            () -> logs.at(Level.WARN, "outbound connection to [" + seed + "]", "SSLHandshakeException"),
            refusals -> !refusals.isEmpty());
        assertEquals(members, upMembers(a));
        assertEquals(members, upMembers(b));
        assertNotEquals(MemberStatus.up(), Cluster.get(intruder.system()).selfMember().status());
        cluster.crash(intruder);
      }

      // The cluster keeps serving, on both nodes.
      assertEquals("{\"accepted\":true,\"balance\":5}",
          Http.post(a.httpPort(), "/machines/account/tls", "k1", "{\"type\":\"deposit\",\"amount\":5}").body());
      assertEquals("{\"accepted\":true,\"balance\":8}",
          Http.post(b.httpPort(), "/machines/account/tls", "k2", "{\"type\":\"deposit\",\"amount\":3}").body());
      assertEquals(members, upMembers(a));
    }
  }
}
