package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.TestCerts;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingress over HTTPS (rsm.http.tls) with bearer tokens, with a key store made at test time. */
class HttpsTest {
  static final String TOKEN = "https-token-0123456789abcdef";
  static TestCerts certs;
  static TestCluster cluster;
  static int port;
  static int managementPort;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    certs = TestCerts.generate(dir, "rsm-node");
    cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of(
            "rsm.http.tls.enabled", true,
            "rsm.http.tls.key-store", certs.keyStore().toString(),
            "rsm.http.tls.key-store-password", certs.password(),
            "rsm.http.auth.enabled", true,
            "rsm.http.auth.tokens", List.of(TOKEN),
            "rsm.node.management", true,
            "pekko.management.http.port", 0)));
    RsmNode node = cluster.start();
    port = node.httpPort();
    managementPort = node.managementPort();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static HttpResponse<String> send(HttpClient client, String scheme, String path, String body)
      throws IOException, InterruptedException {
    return send(client, scheme, port, path, body);
  }

  static HttpResponse<String> send(HttpClient client, String scheme, int port, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json");
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientThatTrustsTheCertificateIsServed() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = send(client, "https", "/machines/account/tls", "{\"type\":\"deposit\",\"amount\":7}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"accepted\":true,\"balance\":7}", r.body());
    assertTrue(send(client, "https", "/machines/account/tls", null).body()
        .contains("\"state\":{\"balance\":7},\"seqNr\":1,"));
  }

  @Test
  void aClientThatDoesNotTrustItIsRefusedAndPlainHttpGetsNoAnswer() {
    HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(SSLHandshakeException.class,
        () -> send(untrusting, "https", "/machines/account/tls2", "{\"type\":\"deposit\",\"amount\":1}"));
    assertThrows(IOException.class,
        () -> send(untrusting, "http", "/machines/account/tls2", "{\"type\":\"deposit\",\"amount\":1}"));
  }

  @Test
  void managementIsServedOverHttpsWithTokensAndWithout() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> members = send(client, "https", managementPort, "/cluster/members", null);
    assertEquals(200, members.statusCode(), members.body());
    assertTrue(members.body().contains("\"members\""), members.body());
    assertThrows(IOException.class, () -> send(client, "http", managementPort, "/cluster/members", null));
    // Without tokens, management is started by PekkoManagement.start() with the same HTTPS context.
    try (TestCluster open = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of(
            "rsm.http.tls.enabled", true,
            "rsm.http.tls.key-store", certs.keyStore().toString(),
            "rsm.http.tls.key-store-password", certs.password(),
            "rsm.node.management", true,
            "pekko.management.http.port", 0)))) {
      int p = open.start().managementPort();
      HttpResponse<String> ready = Await.until("ready over HTTPS", Duration.ofSeconds(20),
          () -> {
            try {
              return send(client, "https", p, "/ready", null);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, r -> r.statusCode() == 200);
      assertEquals(200, ready.statusCode());
      assertThrows(IOException.class, () -> send(client, "http", p, "/ready", null));
    }
  }

  @Test
  void aBadKeyStoreStopsTheStart() {
    MachineRegistry types = MachineRegistry.of(Account.TYPE);
    IllegalStateException wrongPassword = assertThrows(IllegalStateException.class, () -> RsmNode.start(RsmConfig.load(
        ConfigFactory.parseMap(Map.of("rsm.http.tls.enabled", true, "rsm.http.tls.key-store", certs.keyStore().toString(),
            "rsm.http.tls.key-store-password", "not-the-password")).withFallback(TestStores.fresh(TestStores.H2))), types));
    assertTrue(wrongPassword.getMessage().startsWith("could not start the node: the security configuration"),
        wrongPassword.getMessage());
    IllegalStateException noKey = assertThrows(IllegalStateException.class, () -> RsmNode.start(RsmConfig.load(
        ConfigFactory.parseMap(Map.of("rsm.http.tls.enabled", true, "rsm.http.tls.key-store", certs.trustStore().toString(),
            "rsm.http.tls.key-store-password", certs.password())).withFallback(TestStores.fresh(TestStores.H2))), types));
    assertTrue(noKey.getMessage().endsWith("holds no private key"), noKey.getMessage());
  }
}
