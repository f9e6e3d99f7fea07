package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.AckingNode;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node on the default store (embedded H2) is killed with SIGKILL while it acknowledges steps;
 * every step acknowledged before the kill is in its journal when it starts again. H2 with its own
 * default write delay (500 ms) lost the last acknowledged steps this way.
 */
class KillNineTest {
  /** Acknowledged steps to see before the kill: the node is then busy writing. */
  private static final int ACKS_BEFORE_KILL = 400;

  @Test
  void stepsAcknowledgedBeforeKillMinus9SurviveOnTheDefaultStore() throws Exception {
    Map<String, Long> lost = killWhileAcknowledging("");
    assertTrue(lost.isEmpty(), "acknowledged steps lost by kill -9 (machine: steps): " + lost);
  }

  /**
   * The control: the same kill with H2's own write delay (the URL without WRITE_DELAY=0, and the
   * guard that appends it turned off) loses acknowledged steps, so the test above can see a loss.
   * A kill can land just after H2's background write; three tries make that a non-event.
   */
  @Test
  void h2sOwnWriteDelayLosesAcknowledgedSteps() throws Exception {
    String unsafe = """
        rsm.storage.h2.write-delay-zero = off
        rsm.storage.jdbc.url = "jdbc:h2:file:"${rsm.storage.h2-path}";DB_CLOSE_ON_EXIT=FALSE"
        """;
    Map<String, Long> lost = Map.of();
    for (int attempt = 0; attempt < 3 && lost.isEmpty(); attempt++) lost = killWhileAcknowledging(unsafe);
    assertFalse(lost.isEmpty(), "three kills with WRITE_DELAY=500 lost no acknowledged step");
  }

  /**
   * Starts {@link AckingNode} on a fresh H2 directory with {@code config}, kills it with SIGKILL
   * right after reading its {@value #ACKS_BEFORE_KILL}th acknowledgement, restarts the store in
   * this JVM and returns, per machine, how many acknowledged steps its journal lacks.
   */
  static Map<String, Long> killWhileAcknowledging(String config) throws Exception {
    Path dir = TestStores.tempDir("rsm-kill9-");
    String h2Path = dir.resolve("rsm").toString();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process node = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), AckingNode.class.getName(), h2Path, config)
        .redirectError(dir.resolve("node.err").toFile())
        .start();
    // If the node never acknowledges enough, killing it ends the read below.
    CompletableFuture.delayedExecutor(90, TimeUnit.SECONDS).execute(node::destroyForcibly);
    Map<String, Long> acked = new TreeMap<>();
    int seen = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; seen < ACKS_BEFORE_KILL && (line = out.readLine()) != null; ) {
        if (!line.startsWith("acked ")) continue;
        String[] f = line.split(" ");
        acked.merge(f[1], Long.parseLong(f[2]), Math::max);
        seen++;
      }
      node.destroyForcibly(); // SIGKILL: no shutdown hook, no close of the database
    }
    assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node did not die");
    assertEquals(ACKS_BEFORE_KILL, seen, "acknowledgements seen before the node ended; its stderr is in " + dir);

    Map<String, Long> lost = new TreeMap<>();
    try (TestNode after = new TestNode("after-kill", ConfigFactory.parseMap(Map.of("rsm.storage.h2-path", h2Path)),
        MachineRegistry.of(Counter.TYPE), ConfigFactory.parseString(config), FaultInjector.NONE)) {
      for (var e : acked.entrySet()) {
        long total = ((Counter.State) after.state(Counter.TYPE.address(e.getKey())).state()).total();
        if (total < e.getValue()) lost.put(e.getKey(), e.getValue() - total);
      }
    }
    return lost;
  }
}
