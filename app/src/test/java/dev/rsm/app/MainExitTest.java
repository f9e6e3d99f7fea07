package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node started the way a user starts it ({@code java ... dev.rsm.app.Main}, in a JVM of its
 * own) with one of its ports already taken: it exits with a non-zero status and says on stderr,
 * in one line, which port.
 */
class MainExitTest {

  @ParameterizedTest
  @ValueSource(strings = {"HTTP", "remoting (Artery)", "management HTTP"})
  void aNodeWhosePortIsTakenExitsNonZeroWithOneLineSayingWhich(String taken,
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
    try (ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = occupied.getLocalPort();
      Map<String, Integer> ports = Map.of(
          "HTTP", taken.equals("HTTP") ? port : freePort(),
          "remoting (Artery)", taken.equals("remoting (Artery)") ? port : freePort(),
          "management HTTP", taken.equals("management HTTP") ? port : freePort());
      List<String> cmd = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"),
          "-Dlogback.configurationFile=logback.xml", // the node's own logging, not the tests'
          "-Drsm.http.port=" + ports.get("HTTP"),
          "-Dpekko.remote.artery.canonical.port=" + ports.get("remoting (Artery)"),
          "-Dpekko.management.http.port=" + ports.get("management HTTP"),
          "-Drsm.storage.h2-path=" + dir.resolve("rsm"),
          "-Drsm.sharding.data-dir=" + dir.resolve("sharding"),
          Main.class.getName()));
      Process node = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectOutput(dir.resolve("stdout.log").toFile())
          .redirectError(dir.resolve("stderr.log").toFile())
          .start();
      boolean exited = node.waitFor(120, TimeUnit.SECONDS);
      if (!exited) node.destroyForcibly();
      assertTrue(exited, "the node is still running with its " + taken + " port taken; output in " + dir);
      List<String> stderr = Files.readAllLines(dir.resolve("stderr.log"));
      assertNotEquals(0, node.exitValue(), "exit status; stderr: " + stderr);
      assertEquals(List.of("rsm: could not start the node: " + taken + " port 127.0.0.1:" + port + " is in use"), stderr);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
