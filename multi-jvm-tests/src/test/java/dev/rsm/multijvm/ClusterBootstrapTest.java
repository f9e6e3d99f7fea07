package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three node processes with no seed nodes form one cluster through Cluster Bootstrap
 * ({@code rsm.node.bootstrap = on}, as config/kubernetes.conf has it), discovering each other's
 * management endpoints from configuration instead of the Kubernetes API; then every node serves
 * deposits to one account, which sees them all.
 */
@ExtendWith(MultiJvmExtension.class)
class ClusterBootstrapTest {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void threeNodesWithoutSeedNodesFormOneClusterAndEachServes(Scenario scenario) throws Exception {
    NodeCluster cluster = scenario.cluster("boot", 3).bootstrap();
    assertEquals(0, cluster.seedNodes().size(), "no node is given a seed node");
    cluster.start(); // every node ready, and each sees three members Up, none unreachable
    long expected = 0;
    for (NodeProcess node : cluster.nodes()) {
      expected += 10;
      String reply = post(node.httpPort(), "/machines/account/shared", "deposit-" + node.name(), "{\"type\":\"deposit\",\"amount\":10}");
      assertTrue(reply.contains("\"balance\":" + expected), node.name() + " answered " + reply);
    }
    long formed = cluster.nodes().stream().mapToLong(n -> n.countLogLines("Initiating new cluster, self-joining")).sum();
    assertEquals(1, formed, "one node formed the cluster through Cluster Bootstrap, the others joined it");
    System.out.printf("[multi-jvm] cluster bootstrap: %s formed one cluster without seed nodes; balance %d%n",
        cluster.nodes().stream().map(NodeProcess::name).toList(), expected);
  }

  static String post(int port, String path, String key, String body) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Idempotency-Key", key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }
}
