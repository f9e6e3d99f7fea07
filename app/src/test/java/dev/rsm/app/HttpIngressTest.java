package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.OpenApiContract;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import ch.qos.logback.classic.Level;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.StoppablePostgres;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API of a single node, through a real HTTP client: success and every error. Every
 * exchange is also checked against the node's OpenAPI document ({@code /openapi.json}).
 */
class HttpIngressTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE, Brittle.TYPE);
  static TestCluster cluster;
  static int port;
  static List<Http.Exchange> exchanges;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES,
        ConfigFactory.parseString("rsm.http.max-body = 1k"));
    port = cluster.start().httpPort();
    exchanges = Http.record();
  }

  @AfterAll
  static void stop() {
    try {
      Http.stopRecording();
      assertTrue(OpenApiContract.assertConforms(port, exchanges) > 0, "the tests' exchanges were checked");
    } finally {
      cluster.close();
    }
  }

  static void assertJson(int status, String body, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(body, r.body());
  }

  @Test
  void depositTransferAndReadState() {
    assertJson(200, "{\"accepted\":true,\"balance\":100}",
        Http.post(port, "/machines/account/alice", "d1", "{\"type\":\"deposit\",\"amount\":100}"));
    assertJson(200, "{\"accepted\":true,\"balance\":70}",
        Http.post(port, "/machines/account/alice", "t1", "{\"type\":\"transfer\",\"to\":\"bob\",\"amount\":30}"));
    assertJson(200, "{\"accepted\":false,\"balance\":70}",
        Http.post(port, "/machines/account/alice", "w1", "{\"type\":\"withdraw\",\"amount\":1000}"));
    Await.until("bob credited", Duration.ofSeconds(10),
        () -> Http.get(port, "/machines/account/bob").body(), b -> b.contains("\"state\":{\"balance\":30}"));
    // Three steps (a refused withdrawal is a step too); the credit to bob acknowledged.
    Await.until("alice's output acknowledged", Duration.ofSeconds(10), () -> Http.get(port, "/machines/account/alice").body(),
        b -> b.equals("{\"type\":\"account\",\"id\":\"alice\",\"state\":{\"balance\":70},\"seqNr\":3,\"unackedOutputs\":0,\"armedTimers\":0}"));
  }

  @Test
  void aRetriedKeyReturnsTheRecordedReplyAndChangesNothing() {
    HttpResponse<String> first = Http.post(port, "/machines/account/carol", "dep-1", "{\"type\":\"deposit\",\"amount\":5}");
    HttpResponse<String> retry = Http.post(port, "/machines/account/carol", "dep-1", "{\"type\":\"deposit\",\"amount\":5}");
    assertJson(200, "{\"accepted\":true,\"balance\":5}", first);
    assertJson(200, "{\"accepted\":true,\"balance\":5}", retry);
    assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
    assertTrue(first.headers().firstValue("Idempotent-Replayed").isEmpty());
    assertTrue(Http.get(port, "/machines/account/carol").body().contains("\"seqNr\":1,"));
  }

  @Test
  void aKeyReusedWithADifferentBodyIs422AndChangesNothing() {
    assertJson(200, "{\"accepted\":true,\"balance\":5}",
        Http.post(port, "/machines/account/hank", "pay-1", "{\"type\":\"deposit\",\"amount\":5}"));
    for (String other : new String[] {"{\"type\":\"deposit\",\"amount\":500}", "{\"type\":\"withdraw\",\"amount\":5}"}) {
      HttpResponse<String> reused = Http.post(port, "/machines/account/hank", "pay-1", other);
      assertEquals(422, reused.statusCode(), reused.body());
      assertTrue(reused.body().contains("idempotency key 'pay-1' was used before with a different request"), reused.body());
    }
    // The same request again is still the recorded reply; nothing else was handled.
    HttpResponse<String> same = Http.post(port, "/machines/account/hank", "pay-1", "{\"type\":\"deposit\",\"amount\":5}");
    assertJson(200, "{\"accepted\":true,\"balance\":5}", same);
    assertEquals("true", same.headers().firstValue("Idempotent-Replayed").orElse(""));
    assertTrue(Http.get(port, "/machines/account/hank").body().contains("\"seqNr\":1,"));
  }

  @Test
  void aNewKeyBeyondTheMachinesKeyLimitIs429WithRetryAfterAndChangesNothing() {
    try (TestCluster small = new TestCluster(TestStores.fresh(TestStores.H2), TYPES,
        ConfigFactory.parseString("rsm.persistence.idempotency { max-keys = 2, retention = 10m }"))) {
      int p = small.start().httpPort();
      for (int i = 1; i <= 2; i++)
        assertJson(200, "{\"accepted\":true,\"balance\":" + i + "}",
            Http.post(p, "/machines/account/kim", "k" + i, "{\"type\":\"deposit\",\"amount\":1}"));
      HttpResponse<String> full = Http.post(p, "/machines/account/kim", "k3", "{\"type\":\"deposit\",\"amount\":1}");
      assertEquals(429, full.statusCode(), full.body());
      assertTrue(full.body().contains("remembers 2 idempotency keys younger than PT10M"), full.body());
      long retryAfter = Long.parseLong(full.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 590 && retryAfter <= 600, "Retry-After " + retryAfter);
      // The remembered keys still answer with their replies; a request without a key is handled.
      assertJson(200, "{\"accepted\":true,\"balance\":1}",
          Http.post(p, "/machines/account/kim", "k1", "{\"type\":\"deposit\",\"amount\":1}"));
      assertJson(200, "{\"accepted\":true,\"balance\":3}",
          Http.post(p, "/machines/account/kim", null, "{\"type\":\"deposit\",\"amount\":1}"));
      assertTrue(Http.get(p, "/machines/account/kim").body().contains("\"state\":{\"balance\":3},\"seqNr\":3,"));
    }
  }

  @Test
  void malformedJsonIs400() {
    assertJson(400, "{\"error\":\"malformed JSON: Unexpected character ('b' (code 98)): was expecting double-quote to start field name\"}",
        Http.post(port, "/machines/account/a", null, "{bad"));
  }

  @Test
  void unknownInputTypeIs400() {
    assertJson(400, "{\"error\":\"unknown input type 'steal' for machine type account; known: [deposit, withdraw, transfer]\"}",
        Http.post(port, "/machines/account/a", null, "{\"type\":\"steal\",\"amount\":1}"));
    assertJson(400, "{\"error\":\"missing \\\"type\\\": one of [deposit, withdraw, transfer]\"}",
        Http.post(port, "/machines/account/a", null, "{\"amount\":1}"));
  }

  @Test
  void badFieldsAre400AndNothingIsJournaled() {
    HttpResponse<String> missing = Http.post(port, "/machines/account/dave", "x", "{\"type\":\"deposit\"}");
    assertEquals(400, missing.statusCode());
    assertTrue(missing.body().contains("'amount'"), missing.body());
    HttpResponse<String> wrongType = Http.post(port, "/machines/account/dave", "y", "{\"type\":\"deposit\",\"amount\":\"lots\"}");
    assertEquals(400, wrongType.statusCode());
    assertTrue(wrongType.body().contains("field 'amount'"), wrongType.body());
    HttpResponse<String> notAnObject = Http.post(port, "/machines/account/dave", "y2", "{\"type\":\"deposit\",\"amount\":{}}");
    assertEquals(400, notAnObject.statusCode());
    for (HttpResponse<String> r : java.util.List.of(missing, wrongType, notAnObject))
      assertTrue(!r.body().contains("dev.rsm") && !r.body().contains("java.lang"), "no class names: " + r.body());
    HttpResponse<String> extra = Http.post(port, "/machines/account/dave", "z", "{\"type\":\"deposit\",\"amount\":1,\"bonus\":5}");
    assertEquals(400, extra.statusCode());
    assertTrue(extra.body().contains("bonus"), extra.body());
    assertTrue(Http.get(port, "/machines/account/dave").body().contains("\"seqNr\":0,"));
  }

  @Test
  void numbersOfTheWrongShapeAre400NotCoerced() {
    String[] bodies = {
        "{\"type\":\"deposit\",\"amount\":2.9}",      // a float is not an integer (was: deposits 2)
        "{\"type\":\"deposit\",\"amount\":2.0}",
        "{\"type\":\"deposit\",\"amount\":\"5\"}",    // a string is not a number
        "{\"type\":\"deposit\",\"amount\":true}",     // nor is a boolean
        "{\"type\":\"deposit\",\"amount\":null}",
        "{\"type\":\"deposit\",\"amount\":[5]}",
        "{\"type\":\"deposit\",\"amount\":1e2}",
        "{\"type\":\"deposit\",\"amount\":99999999999999999999}", // beyond a long
        "{\"type\":\"transfer\",\"to\":5,\"amount\":1}",  // a number is not a string
    };
    for (String body : bodies) {
      HttpResponse<String> r = Http.post(port, "/machines/account/frank", null, body);
      assertEquals(400, r.statusCode(), body + " -> " + r.body());
      assertTrue(r.body().contains("'amount'") || r.body().contains("'to'") || r.body().contains("out of range of long"),
          body + " -> " + r.body());
    }
    assertTrue(Http.get(port, "/machines/account/frank").body().contains("\"seqNr\":0,"), "nothing was journaled");
  }

  @Test
  void invalidMachineIdsAre400ForRequestsAndForSends() {
    String rule = "a machine id is 1 to 180 characters, without whitespace, control characters, unpaired surrogates or U+FFFD";
    for (String id : new String[] {"x".repeat(181), "a%20b", "tab%09id", "nul%00"}) {
      HttpResponse<String> post = Http.post(port, "/machines/account/" + id, "k", "{\"type\":\"deposit\",\"amount\":1}");
      assertEquals(400, post.statusCode(), id + " -> " + post.body());
      assertTrue(post.body().contains(rule), post.body());
      assertEquals(400, Http.get(port, "/machines/account/" + id).statusCode(), id);
    }
    assertJson(200, "{\"accepted\":true,\"balance\":10}",
        Http.post(port, "/machines/account/" + "y".repeat(180), "k", "{\"type\":\"deposit\",\"amount\":10}"));

    // A transfer to an invalid id fails the sending step: nothing debited, no channel to poison.
    assertJson(200, "{\"accepted\":true,\"balance\":50}",
        Http.post(port, "/machines/account/gina", "g1", "{\"type\":\"deposit\",\"amount\":50}"));
    HttpResponse<String> send = Http.post(port, "/machines/account/gina", "g2",
        "{\"type\":\"transfer\",\"to\":\"" + "z".repeat(300) + "\",\"amount\":20}");
    assertEquals(400, send.statusCode(), send.body());
    assertTrue(send.body().contains("sends to an invalid address") && send.body().contains(rule), send.body());
    assertJson(200, "{\"type\":\"account\",\"id\":\"gina\",\"state\":{\"balance\":50},\"seqNr\":1,\"unackedOutputs\":0,\"armedTimers\":0}",
        Http.get(port, "/machines/account/gina"));
  }

  @Test
  void inputThatCannotBeJournaledIs400AndTheMachineKeepsWorking() {
    // A lone surrogate is valid JSON, and a Java string, but no journal can store it (CBOR refuses
    // to write it as UTF-8): refused before the step, not failed at its write for every retry.
    for (int attempt = 1; attempt <= 3; attempt++) {
      HttpResponse<String> r = Http.post(port, "/machines/brittle/n", "same-key", "{\"type\":\"note\",\"text\":\"a\\ud800b\"}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("cannot be journaled"), r.body());
    }
    assertJson(200, "\"fine\"", Http.post(port, "/machines/brittle/n", "other", "{\"type\":\"note\",\"text\":\"fine\"}"));
    assertTrue(Http.get(port, "/machines/brittle/n").body().contains("\"seqNr\":1,"), "only the journalable step was taken");
  }

  @Test
  void unknownMachineTypeIs404() {
    assertJson(404, "{\"error\":\"unknown machine type 'nope'; known types: [account, brittle]\"}",
        Http.post(port, "/machines/nope/a", null, "{\"type\":\"deposit\",\"amount\":1}"));
    assertEquals(404, Http.get(port, "/machines/nope/a").statusCode());
  }

  @Test
  void aBodyOverTheLimitIs413() {
    String big = "{\"type\":\"deposit\",\"amount\":1,\"pad\":\"" + "x".repeat(2000) + "\"}";
    assertJson(413, "{\"error\":\"request body too large: the limit is 1024 bytes (rsm.http.max-body)\"}",
        Http.post(port, "/machines/account/a", null, big));
  }

  @Test
  void aThrowingHandlerIs500AndTheMachineKeepsWorking() throws Exception {
    try (LogLines logs = new LogLines()) {
      HttpResponse<String> r = Http.post(port, "/machines/brittle/b", "f1", "{\"type\":\"fail\",\"why\":\"disk on fire\"}");
      assertEquals(500, r.statusCode());
      // The caller learns which machine and input failed, and an id; the exception stays in the log.
      String errorId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("errorId").asText();
      assertEquals("{\"error\":\"the handler of brittle/b failed on Fail; the node's log has the details under its errorId\","
          + "\"errorId\":\"" + errorId + "\"}", r.body());
      assertTrue(!r.body().contains("disk on fire") && !r.body().contains("IllegalStateException"), r.body());
      assertEquals(1, logs.at(Level.WARN, "error id " + errorId, "IllegalStateException: disk on fire").size());
    }
    assertJson(200, "1", Http.post(port, "/machines/brittle/b", "ok1", "{\"type\":\"ok\"}"));
  }

  @Test
  void anUnsupportedMethodIsAJsonError() {
    HttpResponse<String> r = Http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/machines/account/a")).DELETE().build());
    assertEquals(405, r.statusCode());
    assertTrue(r.body().startsWith("{\"error\":"), r.body());
  }

  @Test
  void anUnavailableJournalIs503WithRetryAfterAndTheRetrySucceedsAfterwards() {
    try (StoppablePostgres pg = new StoppablePostgres();
        TestCluster pgCluster = new TestCluster(pg.config(), TYPES, ConfigFactory.empty())) {
      int p = pgCluster.start().httpPort();
      assertJson(200, "{\"accepted\":true,\"balance\":1}", Http.post(p, "/machines/account/e", "k1", "{\"type\":\"deposit\",\"amount\":1}"));
      pg.stop(); // the database goes away
      HttpResponse<String> down = Http.post(p, "/machines/account/e", "k2", "{\"type\":\"deposit\",\"amount\":2}");
      assertEquals(503, down.statusCode(), down.body());
      assertEquals("1", down.headers().firstValue("Retry-After").orElse(""));
      assertTrue(down.body().toLowerCase().contains("retry with the same idempotency-key")
          || down.body().contains("retry with the same idempotency key"), down.body());
      pg.start(); // it comes back; the client retries with the same key
      HttpResponse<String> ok = Await.until("the retry succeeds", Duration.ofSeconds(60),
          () -> Http.post(p, "/machines/account/e", "k2", "{\"type\":\"deposit\",\"amount\":2}"), r -> r.statusCode() == 200);
      assertEquals("{\"accepted\":true,\"balance\":3}", ok.body());
    }
  }
}
