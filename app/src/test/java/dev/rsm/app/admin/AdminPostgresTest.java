package dev.rsm.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.RsmNode;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The admin API's journal queries on PostgreSQL, whose string order (a locale's collation) need not
 * be Java's: ids with punctuation, case and LIKE's wildcards page each once and are found by search.
 */
class AdminPostgresTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pagesSearchesAndReadsMachinesOnPostgres() throws Exception {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.POSTGRES), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseString("rsm.node.management = on\npekko.management.http.port = 0"))) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      int port = node.managementPort();
      List<String> ids = new ArrayList<>();
      for (String stem : List.of("a", "B", "c_d", "50%", "e.f", "g|h", "Z-z", "a/b"))
        for (int i = 1; i <= 4; i++) ids.add(stem + i);
      for (String id : ids) {
        IngressResult r = node.machines().ask(Account.TYPE.address(id), null, new Account.Deposit(7),
                java.time.Duration.ofSeconds(20)).toCompletableFuture().join();
        assertTrue(r instanceof IngressResult.Replied, id + ": " + r);
      }
      List<String> listed = new ArrayList<>();
      String after = null;
      do {
        JsonNode page = get(port, "/admin/types/account/machines?limit=5" + (after == null ? "" : "&after=" + enc(after)));
        page.path("machines").forEach(m -> listed.add(m.path("id").asText()));
        after = page.path("next").isNull() ? null : page.path("next").asText();
      } while (after != null);
      assertEquals(ids.size(), listed.size(), "each once: " + listed);
      assertEquals(new HashSet<>(ids), new HashSet<>(listed));

      Set<String> found = new HashSet<>();
      get(port, "/admin/types/account/machines?q=" + enc("50%")).path("machines").forEach(m -> found.add(m.path("id").asText()));
      assertEquals(Set.of("50%1", "50%2", "50%3", "50%4"), found, "% is a character, not a wildcard");
      found.clear();
      get(port, "/admin/types/account/machines?q=" + enc("c_")).path("machines").forEach(m -> found.add(m.path("id").asText()));
      assertEquals(Set.of("c_d1", "c_d2", "c_d3", "c_d4"), found, "_ is a character, not a wildcard");
      assertEquals(32, get(port, "/admin/types").path("types").get(0).path("machines").asLong());

      JsonNode m = get(port, "/admin/machines/account/" + enc("a/b3"));
      assertEquals("{\"balance\":7}", m.path("state").toString());
      JsonNode step = get(port, "/admin/machines/account/" + enc("g|h2") + "/journal").path("steps").get(0);
      assertEquals("{\"type\":\"deposit\",\"value\":{\"amount\":7}}", step.path("input").toString());
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r = Http.get(port, path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }
}
