package dev.rsm.multijvm.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one test works with: a fresh database, bank clients, node processes whose logs go to {@code
 * target/node-logs/<test class>/<test>/} and whose working directories are under {@code
 * target/node-data/}, and clean-up. Injected into a test method by {@link MultiJvmExtension},
 * which kills whatever is still running afterwards and prints the node logs when the test fails.
 */
public final class Scenario {
  private final String id;
  private final String databaseName;
  private final Path logDir;
  private final Path dataDir;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final List<Bank> banks = new CopyOnWriteArrayList<>();
  private Database database;

  Scenario(String testClass, String testMethod) {
    this.id = testClass + "/" + testMethod;
    // PostgreSQL truncates identifiers to 63 characters: the class name, cut, and the id's hash.
    String cls = testClass.toLowerCase().replaceAll("[^a-z0-9]", "_");
    this.databaseName = "rsm_" + cls.substring(0, Math.min(40, cls.length())) + "_" + Integer.toHexString(id.hashCode());
    Path target = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().resolve("target");
    this.logDir = target.resolve("node-logs").resolve(testClass).resolve(testMethod);
    this.dataDir = target.resolve("node-data").resolve(testClass).resolve(testMethod);
    deleteRecursively(logDir); // logs are appended to across restarts: start each run afresh
    deleteRecursively(dataDir);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This scenario's database, created empty on first use. */
  public synchronized Database database() {
    if (database == null)
      database = Database.create(databaseName);
    return database;
  }

  /** A cluster of {@code size} nodes named {@code name-1..size}, not started yet. */
  public NodeCluster cluster(String name, int size) {
    return new NodeCluster(this, name, size);
  }

  /**
   * Clients of {@code accounts} bank accounts, {@code workers} transfer threads, sending through
   * the nodes with HTTP ports {@code ports}; stopped with the scenario.
   */
  public Bank bank(int accounts, int workers, List<Integer> ports) {
    Bank b = new Bank(accounts, workers, ports);
    banks.add(b);
    return b;
  }

  NodeProcess newNode(String name) {
    NodeProcess n = new NodeProcess(name, logDir, dataDir, database().jdbcUrl());
    nodes.add(n);
    return n;
  }

  public Path logDir() {
    return logDir;
  }

  /** Every node's log tail, for a failure report. */
  String logTails(int lines) {
    StringBuilder b = new StringBuilder();
    for (NodeProcess n : nodes)
      b.append("\n======== ").append(n).append(": last ").append(lines).append(" lines of ")
          .append(n.log()).append(" ========\n").append(n.tail(lines)).append('\n');
    return b.toString();
  }

  void close() {
    for (Bank b : banks) b.abort(); // no client outlives its test, even one that failed mid-request
    for (NodeProcess n : nodes) n.close();
    if (database != null) Postgres.server().start(); // a test that failed mid-outage leaves it running for the next
  }

  @Override
  public String toString() {
    return id;
  }
}
