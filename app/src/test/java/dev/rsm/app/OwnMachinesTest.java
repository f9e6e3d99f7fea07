package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.app.machines.Brittle;
import dev.rsm.app.machines.BrittleModule;
import dev.rsm.app.sample.Account;
import dev.rsm.client.Answer;
import dev.rsm.client.MachineClient;
import dev.rsm.client.NotFound;
import dev.rsm.client.RsmClient;
import dev.rsm.persistence.MachineModule;
import dev.rsm.persistence.testing.TestStores;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node started as a user starts it ({@code java -cp rsm.jar:your.jar dev.rsm.app.Main}, in a JVM
 * of its own) hosts the machine modules its class path registers in {@code META-INF/services}
 * instead of the samples; it, and the replica monitor's process, refuse to start, in one line, when
 * {@code rsm.node.machines} names a class that is not there.
 */
class OwnMachinesTest {

  @Test
  void aNodeHostsTheModuleThatItsClassPathRegistersInsteadOfTheSamples() throws Exception {
    Path dir = TestStores.tempDir("rsm-own-machines-");
    // The user's jar: here a directory whose services file names a module on the test class path.
    Path services = dir.resolve("user-jar/META-INF/services/" + MachineModule.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(services, BrittleModule.class.getName() + "\n");
    int http = freePort();
    Process node = start(dir, dir.resolve("user-jar") + File.pathSeparator + System.getProperty("java.class.path"),
        http, List.of(), List.of());
    try {
      RsmClient client = RsmClient.builder().nodes(URI.create("http://127.0.0.1:" + http))
          .deadline(Duration.ofSeconds(90)).build(); // retries refused connections while the node starts
      MachineClient<Brittle.Input, Brittle.State> b = client.machine(Brittle.TYPE, "b1");

      Answer first = b.ask("ok-1", new Brittle.Ok());
      Answer again = b.ask("ok-1", new Brittle.Ok());

      assertEquals(1, first.as(Integer.class));
      assertFalse(first.replayed());
      assertTrue(again.replayed(), "the repeated key is answered from the record");
      assertEquals(new Brittle.State(1), b.state().state(), "handled once");
      assertThrows(NotFound.class, () -> client.machine(Account.TYPE, "alice").state(), "the samples are not hosted");
      String log = Files.readString(dir.resolve("stdout.log"));
      assertTrue(log.contains("Machine modules (found on the class path): " + BrittleModule.class.getName() + " [brittle]"),
          "the node says what it hosts; stdout: " + log);
    } finally {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) node.destroyForcibly();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"node", "--replica-monitor"})
  void aNamedModuleThatIsNotOnTheClassPathStopsTheProcessWithOneLine(String process) throws Exception {
    Path dir = TestStores.tempDir("rsm-own-machines-");
    Process node = start(dir, System.getProperty("java.class.path"), freePort(),
        List.of("-Drsm.node.machines.0=com.example.Missing"), process.equals("node") ? List.of() : List.of(process));
    boolean exited = node.waitFor(120, TimeUnit.SECONDS);
    if (!exited) node.destroyForcibly();
    assertTrue(exited, "the process is still running; output in " + dir);
    assertEquals(1, node.exitValue());
    assertEquals(List.of("rsm: " + (process.equals("node") ? "could not start the node: " : "")
            + "machine module com.example.Missing (rsm.node.machines) is not on the class path"),
        Files.readAllLines(dir.resolve("stderr.log")));
  }

  private static Process start(Path dir, String classPath, int httpPort, List<String> options, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", classPath,
        "-Dlogback.configurationFile=logback.xml", // the node's own logging, not the tests'
        "-Drsm.http.port=" + httpPort,
        "-Dpekko.remote.artery.canonical.port=" + freePort(),
        "-Dpekko.management.http.port=" + freePort(),
        "-Drsm.storage.h2-path=" + dir.resolve("rsm"),
        "-Drsm.sharding.data-dir=" + dir.resolve("sharding")));
    cmd.addAll(options);
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .redirectError(dir.resolve("stderr.log").toFile())
        .start();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
