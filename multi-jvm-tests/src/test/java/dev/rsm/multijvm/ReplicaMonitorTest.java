package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.flaky.FlakyNode;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replica monitor in a process of its own ({@code --replica-monitor}) on the cluster's
 * PostgreSQL journal, while a node's handler turns non-deterministic in the node's JVM only: the
 * monitor, re-running the node's steps in its own JVM, reports the first diverging step. (The
 * healthy case, a cluster under load with the monitor as a singleton reporting nothing, is {@link
 * NodeKilledUnderLoadTest}.)
 */
@ExtendWith(MultiJvmExtension.class)
class ReplicaMonitorTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aHandlerTurnedNonDeterministicOnANodeIsReportedAtItsFirstDivergingStep(Scenario scenario) throws Exception {
    Path testClasses = Path.of(FlakyNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    NodeCluster cluster = scenario.cluster("node", 1);
    NodeProcess node = cluster.node(0).mainClass(FlakyNode.class.getName(), testClasses);
    NodeProcess monitor = scenario.node("monitor").mainClass(FlakyNode.class.getName(), testClasses, "--replica-monitor")
        .set("rsm.replica-monitor.poll-interval", "200ms")
        .set("rsm.replica-monitor.log-interval", "2s");
    cluster.start();
    monitor.start();
    Waits.await("the monitor follows the journal", Duration.ofSeconds(60)).until(() -> {
      if (!monitor.isAlive()) throw new AssertionError("the monitor exited: " + monitor.tail(30));
      return monitor.countLogLines("replica monitor started");
    }, n -> n == 1);

    for (int i = 1; i <= 3; i++) add(node, "x", "x" + i, 1);
    for (int i = 1; i <= 3; i++) add(node, "y", "y" + i, i);
    Files.createFile(node.workDir().resolve(FlakyNode.BREAK_FILE));
    Waits.await(node.name() + " broke its handler", Duration.ofSeconds(10))
        .until(() -> node.countLogLines("flaky: handler broken in this JVM"), n -> n == 1);
    assertTrue(add(node, "x", "x4", 1).contains("\"total\":5"), "step 4 answered 4 + 1 on the broken node");
    long journaled = System.nanoTime();
    add(node, "x", "x5", 1);

    String line = "replica monitor: machine flaky/x diverged at step 4 (journal row 4): journaled reply "
        + "Total[total=5], replay produced reply Total[total=4]";
    Waits.await("the monitor reports x's step 4", Duration.ofSeconds(30)).until(() -> monitor.countLogEntries(line), n -> n == 1);
    double seconds = (System.nanoTime() - journaled) / 1e9;
    assertEquals(1, monitor.countLogEntries(" ERROR ", "replica monitor"), "one report, of x only (y is healthy)");
    monitor.stop();
    String summary = lastMatch(monitor, "replica monitor stopped: .*");
    System.out.printf("[multi-jvm] replica monitor (own process) reported flaky/x's first diverging step %.1f s "
        + "after it was journaled on %s; %s%n", seconds, node.name(), summary);
    assertTrue(summary.contains(" 1 divergences"), summary);
  }

  /** {@code POST /machines/flaky/{id}} of {@code Add(n)} with {@code key}; the response body (200 only). */
  private static String add(NodeProcess node, String id, String key, long n) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + "/machines/flaky/" + id))
        .timeout(Duration.ofSeconds(10))
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"add\",\"n\":" + n + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static final Pattern SUMMARY = Pattern.compile("replica monitor: (\\d+) steps in .*");

  /**
   * Waits until the replica monitor, on whichever of {@code nodes} runs it, has logged that it
   * caught up with the journal after this call; asserts that no node's monitor reported a
   * divergence; returns the line, for the build output.
   */
  static String caughtUpWithoutDivergence(java.util.List<NodeProcess> nodes) {
    long since = System.nanoTime();
    String line = Waits.await("the replica monitor caught up", Duration.ofSeconds(60)).until(() -> {
      String best = null;
      for (NodeProcess n : nodes) {
        if (!n.isRunning()) continue;
        for (String m : n.distinctLogMatches(SUMMARY)) best = m.contains("lag 0 rows") ? n.name() + ": " + m : null;
        if (best != null) break;
      }
      return System.nanoTime() - since > TimeUnit.SECONDS.toNanos(3) ? best : null;
    }, l -> l != null);
    for (NodeProcess n : nodes)
      assertEquals(0, n.countLogEntries("replica monitor: machine"), n.name() + " reported a divergence");
    var steps = Pattern.compile(": (\\d+) steps in").matcher(line);
    assertTrue(steps.find() && Long.parseLong(steps.group(1)) > 0, "the monitor checked steps: " + line);
    long maxRows = 0, maxMillis = 0; // over every periodic line of every node, under load included
    Pattern lag = Pattern.compile("lag (\\d+) rows, (\\d+) ms");
    for (NodeProcess n : nodes)
      for (String m : n.distinctLogMatches(SUMMARY)) {
        var l = lag.matcher(m);
        if (!l.find()) continue;
        maxRows = Math.max(maxRows, Long.parseLong(l.group(1)));
        maxMillis = Math.max(maxMillis, Long.parseLong(l.group(2)));
      }
    return "replica monitor (cluster singleton) " + line + "; largest lag logged: " + maxRows + " rows, "
        + maxMillis + " ms";
  }

  /** The last line of {@code node}'s log matching {@code regex}. */
  static String lastMatch(NodeProcess node, String regex) {
    String last = null;
    for (String m : node.distinctLogMatches(Pattern.compile(regex))) last = m;
    assertTrue(last != null, node.name() + " logged " + regex);
    return last;
  }
}
