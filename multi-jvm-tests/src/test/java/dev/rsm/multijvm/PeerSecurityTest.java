package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.Database;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import dev.rsm.multijvm.rogue.ForgedPeerMessage;
import dev.rsm.multijvm.rogue.Gadget;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Peers that must not get in: a node with a certificate the cluster does not trust (Artery TLS with
 * mutual authentication, {@code config/security.conf}), and a process that speaks plain Artery to a
 * node and sends a machine a message whose user value names a class outside the node's allow-list
 * (docs/security.md). In both the cluster keeps serving under load, and the audit passes.
 */
@ExtendWith(MultiJvmExtension.class)
class PeerSecurityTest {
  private static final String SSL = "pekko.remote.artery.ssl.config-ssl-engine.";
  private static final String PASSWORD = "test-password";

  /**
   * Two nodes on PostgreSQL with {@code config/security.conf}'s Artery section (TLS 1.3, mutual
   * authentication) and one certificate for the cluster, under load; a third node with a
   * certificate of its own, which trusts the cluster's (a public certificate), is started with the
   * same seed nodes. The seed refuses its handshakes: it never becomes a member, and the clients
   * are answered before, during and after.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aNodeWithAnotherCertificateIsRefusedAndTheClusterKeepsServing(Scenario scenario) {
    Path dir = freshDir(scenario, "certs");
    Path clusterKeys = keyStore(dir, "cluster");
    Path clusterTrust = trustStore(dir, "cluster", clusterKeys);
    Path intruderKeys = keyStore(dir, "intruder");
    Path profile = tlsProfile(dir);

    NodeCluster cluster = scenario.cluster("node", 2).configFile(profile);
    arteryStores(clusterKeys, clusterTrust).forEach(cluster::set);
    cluster.start();
    for (NodeProcess n : cluster.nodes())
      assertEquals(1, n.countLogLines("Remoting started with transport [Artery tls-tcp]"), n + " runs Artery over TLS");
    Bank bank = scenario.bank(8, 2, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));

    // Its own key; the cluster's certificate in its trust store; the cluster's seed nodes.
    NodeProcess intruder = scenario.node("intruder").configFile(profile);
    arteryStores(intruderKeys, clusterTrust).forEach(intruder::set);
    List<String> seeds = cluster.seedNodes();
    for (int i = 0; i < seeds.size(); i++) intruder.set("pekko.cluster.seed-nodes." + i, seeds.get(i));
    long transfersBefore = bank.transfers();
    long t0 = System.nanoTime();
    intruder.start();
    // Each attempt to reach the seed is refused in the handshake; wait for several (its join is
    // retried for as long as it runs), and look at both nodes' membership all along: two members,
    // never the intruder, in any status (an AssertionError ends the wait at once).
    String seed = seeds.get(0);
    long refusals = Waits.await("the seed refused the intruder's TLS handshake 3 times", Duration.ofSeconds(60))
        .until(() -> {
          if (!intruder.isAlive()) throw new AssertionError("the intruder exited: " + intruder.tail(20));
          for (NodeProcess n : cluster.nodes()) {
            JsonNode m = members(n);
            assertEquals(2, m.path("members").size(), n + " sees the cluster's two members only: " + m);
            assertFalse(m.toString().contains(intruder.address()), n + " never heard of the intruder: " + m);
            assertEquals(0, m.path("unreachable").size(), n + ": " + m);
          }
          return intruder.countLogEntries("outbound connection to [" + seed, "SSLHandshakeException");
        }, n -> n >= 3);
    double refusedFor = (System.nanoTime() - t0) / 1e9;
    assertTrue(intruder.countLogLines("Couldn't join seed nodes") > 0, "the intruder tried to join and could not");
    assertNotEquals(200, status(intruder.managementPort(), "/ready"), "the intruder is not ready (never joined)");
    long transfersDuring = bank.transfers() - transfersBefore;
    assertTrue(transfersDuring > 0, "transfers were answered while the intruder was refused");
    intruder.kill();
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));
    bank.stopTransfers();

    System.out.printf("[multi-jvm] an intruder with its own certificate (trusting the cluster's) was refused %d "
        + "times in %.1f s of trying and never became a member; %d transfers answered meanwhile; the handshake "
        + "failure it logged: %s%n", refusals, refusedFor, transfersDuring, firstLine(intruder, "SSLHandshakeException"));
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }

  /**
   * One node on H2, plain Artery (the default profile), under load. A rogue JVM on the node's own
   * class path and configuration, not a member, resolves the node's shard region over Artery and
   * sends an account machine {@code Deliver}s whose input is a {@link Gadget} (a class the node
   * could load: it is on the node's boot class path, and initializing it writes a marker file)
   * and a {@code java.net.URL} (a JDK class outside the allowed value types). The node refuses both
   * when reading the message, naming the class, and never initializes the gadget; the machine
   * answers the rogue's state reads before and after, and the clients throughout.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aForgedPeerMessageNamingAClassOutsideTheAllowListIsRefused(Scenario scenario) throws Exception {
    scenario.on(Database.Kind.H2);
    Path gadgetDir = freshDir(scenario, "gadget-classpath");
    String gadgetFile = Gadget.class.getName().replace('.', '/') + ".class";
    Path testClasses = Path.of(ForgedPeerMessage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Files.createDirectories(gadgetDir.resolve(gadgetFile).getParent());
    Files.copy(testClasses.resolve(gadgetFile), gadgetDir.resolve(gadgetFile));

    NodeCluster cluster = scenario.cluster("node", 1);
    NodeProcess target = cluster.node(0).jvmOption("-Xbootclasspath/a:" + gadgetDir);
    cluster.start();
    Bank bank = scenario.bank(8, 2, cluster.httpPorts());
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));

    String id = bank.accounts().get(0);
    Path rogueDir = freshDir(scenario, "rogue");
    Path rogueLog = scenario.logDir().resolve("rogue.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", NodeProcess.jar() + File.pathSeparator + testClasses,
        ForgedPeerMessage.class.getName(), target.address(), id));
    Process rogue = new ProcessBuilder(cmd).directory(rogueDir.toFile()).redirectErrorStream(true)
        .redirectOutput(rogueLog.toFile()).start();
    try {
      assertTrue(rogue.waitFor(90, TimeUnit.SECONDS), "the rogue finished");
    } finally {
      rogue.destroyForcibly();
    }
    String out = Files.readString(rogueLog, StandardCharsets.ISO_8859_1);
    assertEquals(0, rogue.exitValue(), "the rogue reached the machine and sent its messages:\n" + out);
    List<String> steps = out.lines().filter(l -> l.matches("(RESOLVED|BEFORE|SENT|AFTER) .*")).toList();
    assertEquals(5, steps.size(), "the rogue's steps: " + steps);

    // Refused when read off the wire, naming the class: Pekko's remoting drops the message and logs
    // the deserialization failure from the rogue's address with PayloadTypeValidator's reason.
    var started = java.util.regex.Pattern.compile("listening on address \\[(pekko://rsm@[^\\]]+)\\]").matcher(out);
    assertTrue(started.find(), "the rogue's Artery address in its log");
    String rogueAddress = started.group(1);
    for (String refused : List.of(Gadget.class.getName(), "java.net.URL"))
      Waits.await(target.name() + " refused the rogue's Deliver naming " + refused, Duration.ofSeconds(30))
          .until(() -> target.countLogEntries("Failed to deserialize message from [" + rogueAddress + "]",
              "a value of class " + refused + " is not allowed"), n -> n == 1);
    try (var files = Files.list(target.workDir())) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString())
          .filter(f -> f.startsWith(Gadget.MARKER_PREFIX)).toList(), "the node never initialized the gadget");
    }
    try (var files = Files.list(rogueDir)) { // the control: initializing it does write the marker
      assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith(Gadget.MARKER_PREFIX)).count(),
          "the rogue, which built a Gadget, has the marker");
    }
    bank.awaitMoreTransfers(40, Duration.ofSeconds(60));
    bank.stopTransfers();

    System.out.println("[multi-jvm] a rogue Artery peer's Deliver of " + Gadget.class.getName() + " and of "
        + "java.net.URL to account/" + id + " was refused by " + target.name() + ": "
        + firstLine(target, "a value of class " + Gadget.class.getName()));
    System.out.println("[multi-jvm] the rogue's view of account/" + id + ": " + steps.get(1) + " / " + steps.get(4));
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
  }

  /** {@code -D} settings pointing {@code config/security.conf}'s Artery section at these stores. */
  private static java.util.Map<String, String> arteryStores(Path keyStore, Path trustStore) {
    return java.util.Map.of(
        SSL + "key-store", keyStore.toString(),
        SSL + "key-store-password", PASSWORD,
        SSL + "key-password", PASSWORD,
        SSL + "trust-store", trustStore.toString(),
        SSL + "trust-store-password", PASSWORD);
  }

  /**
   * The nodes' profile: {@code config/postgres.conf} with {@code config/security.conf} included
   * last, as docs/security.md tells operators, and its HTTP parts (tokens, HTTPS, for the ingress
   * and for Management) turned off: the clients and the harness speak plain HTTP, and this test is
   * about Artery.
   */
  private static Path tlsProfile(Path dir) {
    Path config = NodeProcess.repository().resolve("config");
    String conf = "include file(\"" + config.resolve("postgres.conf") + "\")\n"
        + "include file(\"" + config.resolve("security.conf") + "\")\n"
        + "rsm.http.auth.enabled = off\n"
        + "rsm.http.tls.enabled = off\n"
        + "rsm.node.management-auth = off\n"
        + "rsm.node.management-tls = off\n";
    Path file = dir.resolve("artery-tls.conf");
    write(file, conf);
    return file;
  }

  /** A PKCS12 key store with a new EC key and its self-signed certificate (CN={@code name}). */
  private static Path keyStore(Path dir, String name) {
    Path ks = dir.resolve(name + "-keystore.p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", PASSWORD);
    return ks;
  }

  /** A PKCS12 trust store holding only the certificate of {@code keyStore}. */
  private static Path trustStore(Path dir, String name, Path keyStore) {
    Path cert = dir.resolve(name + ".crt");
    Path ts = dir.resolve(name + "-truststore.p12");
    keytool("-exportcert", "-alias", name, "-keystore", keyStore.toString(), "-storepass", PASSWORD,
        "-rfc", "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", name, "-file", cert.toString(),
        "-storetype", "PKCS12", "-keystore", ts.toString(), "-storepass", PASSWORD);
    return ts;
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        throw new IllegalStateException("keytool failed: " + String.join(" ", cmd) + "\n" + out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An empty directory {@code name} beside the scenario's node logs. */
  private static Path freshDir(Scenario scenario, String name) {
    Path dir = scenario.logDir().resolveSibling(scenario.logDir().getFileName() + "-" + name);
    try {
      if (Files.exists(dir))
        try (var paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** {@code GET /cluster/members} of {@code node}'s Pekko Management. */
  private static JsonNode members(NodeProcess node) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + node.managementPort() + "/cluster/members"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), node + " /cluster/members: " + r.body());
      return new ObjectMapper().readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status of {@code GET path}, or -1 when nothing answers. */
  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first line of {@code node}'s log that contains {@code text}, trimmed to 300 characters. */
  private static String firstLine(NodeProcess node, String text) {
    try (var lines = Files.lines(node.log(), StandardCharsets.ISO_8859_1)) {
      String line = lines.filter(l -> l.contains(text)).findFirst().orElse("(none)");
      return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
