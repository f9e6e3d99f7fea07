package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer-token authentication of the ingress and of Pekko Management, through a real HTTP client:
 * a request without a right token gets 401 and changes no machine; a right token works.
 */
class AuthTest {
  static final String TOKEN = "config-token-0123456789abcdef";
  static final String FILE_TOKEN = "q8+Fh/2vZk9LmN0pR3sT+uVw/xY1zA4bC6dE8fG0hI=";  // as `openssl rand -base64 32` makes them
  static final String WRONG = "wrong-token-0123456789abcdef";
  static TestCluster cluster;
  static RsmNode node;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# rotated 2026-12-01\n\n  " + FILE_TOKEN + "  \n");
    cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of(
            "rsm.http.auth.enabled", true,
            "rsm.http.auth.tokens", List.of(TOKEN),
            "rsm.http.auth.tokens-file", tokens.toString(),
            "rsm.node.management", true,
            "pekko.management.http.port", 0)));
    node = cluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static HttpResponse<String> post(String path, String authorization, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) b.header("Authorization", authorization);
    return Http.send(b.build());
  }

  static HttpResponse<String> get(int port, String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).GET();
    if (authorization != null) b.header("Authorization", authorization);
    return Http.send(b.build());
  }

  static void assertRefused(HttpResponse<String> r) {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals("", r.body()); // no detail: missing, malformed and wrong look the same
  }

  static final String DEPOSIT = "{\"type\":\"deposit\",\"amount\":10}";

  @Test
  void aRightTokenFromConfigOrFileWorks() {
    assertEquals("{\"accepted\":true,\"balance\":10}", post("/machines/account/ok", "Bearer " + TOKEN, DEPOSIT).body());
    assertEquals("{\"accepted\":true,\"balance\":20}", post("/machines/account/ok", "bearer " + FILE_TOKEN, DEPOSIT).body());
    HttpResponse<String> state = get(node.httpPort(), "/machines/account/ok", "Bearer " + FILE_TOKEN);
    assertEquals(200, state.statusCode());
    assertTrue(state.body().contains("\"state\":{\"balance\":20},\"seqNr\":2,"), state.body());
  }

  @Test
  void aMissingOrWrongTokenIs401AndChangesNothing() {
    assertEquals(200, post("/machines/account/victim", "Bearer " + TOKEN, DEPOSIT).statusCode());
    String before = get(node.httpPort(), "/machines/account/victim", "Bearer " + TOKEN).body();
    assertTrue(before.contains("\"seqNr\":1,"), before);

    assertRefused(post("/machines/account/victim", null, DEPOSIT));
    assertRefused(post("/machines/account/victim", "Bearer " + WRONG, DEPOSIT));
    assertRefused(post("/machines/account/victim", "Bearer " + TOKEN.substring(0, TOKEN.length() - 1), DEPOSIT));
    assertRefused(post("/machines/account/victim", "Bearer " + TOKEN + "x", DEPOSIT));
    assertRefused(post("/machines/account/victim", "Bearer", DEPOSIT));
    assertRefused(post("/machines/account/victim", "Basic " + java.util.Base64.getEncoder()
        .encodeToString(("u:" + TOKEN).getBytes()), DEPOSIT));
    assertRefused(post("/machines/account/victim", TOKEN, DEPOSIT));
    // Reads, unknown types and unknown paths are refused alike: nothing about the node leaks.
    assertRefused(get(node.httpPort(), "/machines/account/victim", null));
    assertRefused(get(node.httpPort(), "/machines/account/victim", "Bearer " + WRONG));
    assertRefused(post("/machines/nope/x", null, DEPOSIT));
    assertRefused(get(node.httpPort(), "/elsewhere", null));

    assertEquals(before, get(node.httpPort(), "/machines/account/victim", "Bearer " + TOKEN).body());
    // A machine first addressed without a token was never started with that input.
    assertRefused(post("/machines/account/untouched", "Bearer " + WRONG, DEPOSIT));
    assertTrue(get(node.httpPort(), "/machines/account/untouched", "Bearer " + TOKEN).body()
        .contains("\"state\":{\"balance\":0},\"seqNr\":0,"));
  }

  @Test
  void managementNeedsTheSameTokens() {
    int port = node.managementPort();
    assertTrue(port > 0);
    assertRefused(get(port, "/cluster/members", null));
    assertRefused(get(port, "/cluster/members", "Bearer " + WRONG));
    assertRefused(get(port, "/ready", null));
    HttpResponse<String> members = get(port, "/cluster/members", "Bearer " + TOKEN);
    assertEquals(200, members.statusCode(), members.body());
    assertTrue(members.body().contains("\"members\""), members.body());
    HttpResponse<String> ready = Await.until("the node is ready", Duration.ofSeconds(20),
        () -> get(port, "/ready", "Bearer " + FILE_TOKEN), r -> r.statusCode() == 200);
    assertEquals(200, ready.statusCode());
  }

  static Config with(String key, Object value) {
    return ConfigFactory.parseMap(Map.of(key, value, "rsm.http.auth.enabled", true))
        .withFallback(TestStores.fresh(TestStores.H2));
  }

  @Test
  void aNodeWithAuthOnButNoUsableTokenDoesNotStart() {
    MachineRegistry types = MachineRegistry.of(Account.TYPE);
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> RsmNode.start(RsmConfig.load(with("rsm.http.auth.tokens", List.of())), types));
    assertEquals("could not start the node: the security configuration (rsm.http.auth, rsm.http.tls): "
        + "rsm.http.auth.enabled = on but no tokens are configured: set rsm.http.auth.tokens or "
        + "rsm.http.auth.tokens-file", none.getMessage());
    IllegalStateException shortToken = assertThrows(IllegalStateException.class,
        () -> RsmNode.start(RsmConfig.load(with("rsm.http.auth.tokens", List.of("short"))), types));
    assertTrue(shortToken.getMessage().contains("auth token #1 is shorter than 16 characters"), shortToken.getMessage());
    assertTrue(!shortToken.getMessage().contains("short\""), "the token is not echoed");
    IllegalStateException noFile = assertThrows(IllegalStateException.class,
        () -> RsmNode.start(RsmConfig.load(with("rsm.http.auth.tokens-file", "/nonexistent/tokens")), types));
    assertTrue(noFile.getMessage().contains("cannot read rsm.http.auth.tokens-file /nonexistent/tokens"), noFile.getMessage());
  }

  @Test
  void theContractNeedsATokenItsPageDoesNot() {
    assertRefused(get(node.httpPort(), "/openapi.json", null));
    HttpResponse<String> doc = get(node.httpPort(), "/openapi.json", "Bearer " + TOKEN);
    assertEquals(200, doc.statusCode(), doc.body());
    assertTrue(doc.body().contains("\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}}"), doc.body());
    assertTrue(doc.body().contains("\"401\":{\"$ref\":\"#/components/responses/401\"}"), doc.body());
    // Swagger UI's files hold no data: served without a token, like the console's.
    assertEquals(200, get(node.httpPort(), "/openapi/", null).statusCode());
    assertEquals(200, get(node.httpPort(), "/openapi/swagger-ui-bundle.js", null).statusCode());
  }
}
