package dev.rsm.multijvm.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one test works with: a fresh store, bank clients, node processes whose logs go to {@code
 * target/node-logs/<test class>/<test>/} and whose working directories are under {@code
 * target/node-data/}, and clean-up. Injected into a test method by {@link MultiJvmExtension},
 * which kills whatever is still running afterwards and prints the node logs when the test fails.
 *
 * <p>The store is a fresh database on the shared PostgreSQL server unless the test chooses H2
 * ({@link #on}) before it creates a node: then the store is the H2 file of the first node, in that
 * node's working directory, and the scenario runs one node at a time on it.
 */
public final class Scenario {
  private final String id;
  private final String databaseName;
  private final Path logDir;
  private final Path dataDir;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final List<Bank> banks = new CopyOnWriteArrayList<>();
  private final List<Shop> shops = new CopyOnWriteArrayList<>();
  private Database.Kind store = Database.Kind.POSTGRES;
  private Database database;
  private int freshNodes;

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

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Chooses the store, before the first node is created (PostgreSQL unless chosen otherwise). */
  public synchronized Scenario on(Database.Kind kind) {
    if (database != null && database.kind() != kind)
      throw new IllegalStateException(this + " already runs on " + database);
    store = kind;
    return this;
  }

  /**
   * This scenario's store: on PostgreSQL a database created empty on first use; on H2 the file of
   * the scenario's first node (created with that node).
   */
  public synchronized Database database() {
    if (database == null) {
      if (store == Database.Kind.H2) throw new IllegalStateException("on H2 the store is the first node's: create a node first");
      database = Database.PostgresDatabase.create(databaseName);
    }
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

  /**
   * Clients of the order saga sample: {@code orders} orders of {@code skus} (each stocked with
   * {@code stock} units) drawn from {@code seed}, placed through the nodes with HTTP ports {@code
   * ports}; its gateway directory is fresh, under this test's {@code target/node-data/}, for every
   * node to be given as {@code rsm.sample.gateway.dir}. Stopped with the scenario.
   */
  public Shop shop(List<String> skus, int stock, int orders, long seed, List<Integer> ports) {
    Shop s = new Shop(skus, stock, orders, seed, ports, dataDir.resolve("gateway"));
    shops.add(s);
    return s;
  }

  synchronized NodeProcess newNode(String name) {
    Path workDir = dataDir.resolve(name);
    if (database == null && store == Database.Kind.H2) database = new Database.H2Database(workDir);
    NodeProcess n = new NodeProcess(name, logDir, workDir, database());
    nodes.add(n);
    return n;
  }

  /**
   * A node of its own (a one-node cluster) in a fresh working directory, on this scenario's store,
   * not started yet: {@code fresh-1}, {@code fresh-2}, ...
   */
  public NodeProcess freshNode() {
    return newNode("fresh-" + (++freshNodes));
  }

  /**
   * A node named {@code name} that belongs to no {@link NodeCluster}, on this scenario's store, not
   * started yet: it forms a cluster of its own unless given seed nodes ({@code
   * pekko.cluster.seed-nodes.0}, ... with {@link NodeProcess#set}).
   */
  public NodeProcess node(String name) {
    return newNode(name);
  }

  /** Every node of the scenario that was started: running, frozen or already dead. */
  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /** {@code kill -9} of every node still alive (frozen ones included). */
  public void killAll() {
    for (NodeProcess n : nodes) if (n.isAlive()) n.kill();
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
    for (Shop s : shops) s.abort();
    for (NodeProcess n : nodes) n.close();
    // A test that failed mid-outage leaves the server running for the next.
    if (database instanceof Database.PostgresDatabase) Postgres.server().start();
  }

  @Override
  public String toString() {
    return id;
  }
}
