package dev.rsm.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.RsmNode;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who reaches the admin API and the console: behind management authentication, and turned off. */
class AdminAccessTest {
  static final String TOKEN = "admin-token-0123456789abcdef";

  @Test
  void behindManagementAuthTheConsoleLoadsWithoutATokenAndTheApiNeedsOne() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of("rsm.http.auth.enabled", true, "rsm.http.auth.tokens", List.of(TOKEN),
            "rsm.node.management", true, "pekko.management.http.port", 0)))) {
      RsmNode node = cluster.start();
      int port = node.managementPort();
      HttpResponse<String> page = Http.get(port, "/console/");
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<script src=\"console.js\"></script>"), page.body());
      assertEquals(200, Http.get(port, "/console/console.js").statusCode());
      assertEquals(302, Http.get(port, "/console").statusCode(), "to /console/, where relative links resolve");
      assertEquals(401, Http.get(port, "/admin/types").statusCode(), "the data needs the token");
      assertEquals(401, Http.get(port, "/cluster/members").statusCode(), "and management's own routes too");
      HttpResponse<String> types = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/types"))
          .header("Authorization", "Bearer " + TOKEN).GET().build());
      assertEquals(200, types.statusCode(), types.body());
      assertTrue(types.body().contains("\"name\":\"account\""), types.body());
    }
  }

  @Test
  void underAManagementBasePathBothMoveWithIt() {
    for (boolean auth : new boolean[] {false, true})
      try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
          ConfigFactory.parseMap(Map.of("rsm.http.auth.enabled", auth, "rsm.http.auth.tokens", List.of(TOKEN),
              "pekko.management.http.base-path", "ops/rsm", "rsm.node.management", true,
              "pekko.management.http.port", 0)))) {
        int port = cluster.start().managementPort();
        assertEquals(200, Http.get(port, "/ops/rsm/console/").statusCode(), "auth " + auth);
        HttpResponse<String> types = Http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/ops/rsm/admin/types"))
            .header("Authorization", "Bearer " + TOKEN).GET().build());
        assertEquals(200, types.statusCode(), "the console's ../admin/ from /ops/rsm/console/, auth " + auth);
        assertTrue(types.body().contains("\"name\":\"account\""), types.body());
      }
  }

  @Test
  void turnedOffNeitherTheApiNorTheConsoleIsServed() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of("rsm.admin.enabled", false, "rsm.node.management", true,
            "pekko.management.http.port", 0)))) {
      int port = cluster.start().managementPort();
      assertEquals(404, Http.get(port, "/admin/types").statusCode());
      assertEquals(404, Http.get(port, "/console/").statusCode());
      assertEquals(200, Http.get(port, "/alive").statusCode(), "management itself still answers");
    }
  }
}
