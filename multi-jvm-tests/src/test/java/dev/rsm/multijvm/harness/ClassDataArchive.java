package dev.rsm.multijvm.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A class-data sharing archive of the classes a node loads (AppCDS: Pekko, Scala, the app), made
 * once per test JVM and mapped by every node started after it ({@code -XX:SharedArchiveFile}).
 * A node then starts in about half the time (on the two-core machine, 3–6 s to ready became 1.5–3
 * s), and the scenarios start some eighty of them. It changes nothing a node does: a class comes
 * from the archive only if the JVM finds it unchanged on the node's class path, and a node the
 * archive does not fit (another class path) loads its classes as before.
 *
 * <p>The archive is dumped by a node of its own on H2 ({@code -XX:ArchiveClassesAtExit}), started
 * until ready, asked for one deposit and stopped with SIGTERM, under {@code target/node-cds/}. If
 * that fails, the nodes start without it; the reason is printed.
 */
final class ClassDataArchive {
  private static List<String> options;

  private ClassDataArchive() {}

  /** The JVM options that map the archive, made on first use; none if it could not be made. */
  static synchronized List<String> options() {
    if (options == null) options = make();
    return options;
  }

  private static List<String> make() {
    Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().resolve("target/node-cds");
    Path archive = dir.resolve("rsm-node.jsa");
    Path workDir = dir.resolve("dump");
    NodeProcess node = null;
    try {
      Scenario.deleteRecursively(dir);
      node = new NodeProcess("class-data-dump", dir, workDir, new Database.H2Database(workDir), List.of());
      node.seedNodes(List.of(node.address()));
      node.jvmOption("-XX:ArchiveClassesAtExit=" + archive);
      long t0 = System.nanoTime();
      node.start().awaitReady(NodeCluster.START_TIMEOUT);
      HttpJson.send(HttpJson.request(node.httpPort(), "/machines/account/cds", Duration.ofSeconds(30))
          .header("Idempotency-Key", "cds").header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"deposit\",\"amount\":1}")).build());
      node.stop(); // the JVM writes the archive as it exits
      if (!Files.isRegularFile(archive)) throw new IllegalStateException("no archive after exit: " + node.tail(20));
      System.out.printf("[multi-jvm] class-data archive of the node's classes (%d MB) made in %.1f s: %s%n",
          Files.size(archive) >> 20, (System.nanoTime() - t0) / 1e9, archive);
      return List.of("-XX:SharedArchiveFile=" + archive);
    } catch (Exception | AssertionError e) {
      System.out.println("[multi-jvm] nodes start without a class-data archive: " + e);
      if (node != null) node.close();
      return List.of();
    }
  }
}
