package dev.rsm.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /ready} from outside, polled as a load balancer would while a node starts and while it
 * shuts down: whenever it answers 200, the HTTP ingress accepts connections. (Pekko's own
 * cluster-membership check alone says ready as soon as the member is Up, seconds before the
 * machines run and the ingress is bound.) {@code /alive} answers 200 throughout.
 */
class ReadinessTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void readyOnlyWhileTheIngressAcceptsConnections() throws Exception {
    int httpPort = TestCluster.freePort();
    int managementPort = TestCluster.freePort();
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseMap(Map.of(
            "rsm.http.port", httpPort,
            "rsm.node.management", true,
            "pekko.management.http.port", managementPort)))) {
      CompletableFuture<RsmNode> starting = CompletableFuture.supplyAsync(cluster::start);
      List<String> seen = new ArrayList<>();
      // Starting: every 200 from /ready finds the ingress accepting right after (the check turns
      // true after the bind).
      // Polled without a pause, to catch the moment /ready turns; a timeout reports what was seen.
      await("the node becomes ready").atMost(Duration.ofSeconds(60)).pollInSameThread()
          .pollDelay(Duration.ZERO).pollInterval(Duration.ZERO)
          .until(() -> {
            int status = status(managementPort, "/ready");
            boolean accepting = accepts(httpPort);
            if (status != -1) seen.add(status + (accepting ? " accepting" : " refusing"));
            assertTrue(status != 200 || accepting, "/ready said 200 while the ingress refused connections; seen: " + seen);
            return seen;
          }, s -> !s.isEmpty() && s.get(s.size() - 1).startsWith("200"));
      assertTrue(seen.stream().anyMatch(s -> !s.startsWith("200")),
          "the management port answered before the node was ready (the check was exercised): " + seen);
      RsmNode node = starting.get(30, TimeUnit.SECONDS);
      assertEquals(200, status(managementPort, "/alive"));
      assertEquals(200, status(managementPort, "/startup"));

      // Stopping: /ready turns before the ingress is unbound.
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(node::close);
      boolean refusedOnce = false;
      int notReadyWhileAccepting = 0;
      while (!stopping.isDone()) {
        // The ingress first, then /ready: the check turns false before the unbind, so once a
        // connection was refused no later /ready may say 200.
        boolean accepting = accepts(httpPort);
        int status = status(managementPort, "/ready");
        if (!accepting) {
          refusedOnce = true;
          assertTrue(status != 200, "/ready said 200 after the ingress was unbound");
        } else if (status != 200 && status != -1) {
          notReadyWhileAccepting++;
        }
      }
      stopping.get(30, TimeUnit.SECONDS);
      assertTrue(refusedOnce || notReadyWhileAccepting > 0, "the shutdown was observed");
    }
  }

  /** The HTTP status of {@code GET path}, or -1 when nothing answers. */
  private static int status(int port, String path) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
