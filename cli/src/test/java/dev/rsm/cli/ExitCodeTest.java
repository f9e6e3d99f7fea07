package dev.rsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Each answer a node can give ends the tool with its own exit code and one line on stderr,
 * against a fake node (the JDK's HttpServer) that answers one status for every request and
 * records the requests' bearer tokens.
 */
class ExitCodeTest {
  HttpServer server;
  volatile int status;
  volatile String body;
  final List<String> tokens = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("Retry-After", "0");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  record Run(int exit, String out, String err) {}

  /** {@code rsm args... --node <the fake> --admin <the fake> --timeout 1s}: options after the command. */
  Run rsm(int status, String body, String... args) {
    this.status = status;
    this.body = body;
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Rsm.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(new String[] {"--node", url, "--admin", url, "--timeout", "1s"}, 0, all, args.length, 6);
    return new Run(cl.execute(all), out.toString(), err.toString());
  }

  @Test
  void eachStatusHasItsExitCode() {
    assertExit(6, rsm(401, "{\"error\":\"a bearer token is required\"}", "get", "account", "a"), "unauthorized (401)");
    assertExit(4, rsm(422, "{\"error\":\"key k was used with another input\"}",
        "send", "account", "a", "{\"type\":\"deposit\",\"amount\":1}", "--key", "k"), "key reused");
    assertExit(4, rsm(413, "{\"error\":\"over 64k\"}", "send", "account", "a", "{\"type\":\"deposit\"}", "--key", "k"),
        "too large");
    assertExit(4, rsm(429, "{\"error\":\"too many keys\"}", "send", "account", "a", "{\"type\":\"deposit\"}", "--key", "k"),
        "too many keys");
    Run failed = rsm(500, "{\"error\":\"the handler of account/a failed\",\"errorId\":\"e-42\"}",
        "send", "account", "a", "{\"type\":\"deposit\"}", "--key", "k");
    assertExit(5, failed, "e-42");
    assertExit(7, rsm(503, "{\"error\":\"busy\",\"reason\":\"overloaded\"}", "get", "account", "a"), "overloaded");
    assertExit(8, rsm(502, "<html>bad gateway</html>", "get", "account", "a"), "rsm: ");
    assertExit(3, rsm(404, "{\"error\":\"machine account/a has no journal rows\"}", "timers", "account", "a"),
        "no journal rows");
  }

  @Test
  void theTokenGoesToTheNodeAndToTheAdminApi() {
    assertEquals(0, rsm(200, "{\"state\":{}}", "get", "account", "a", "--token", "secret-token-0123456789").exit());
    assertEquals(0, rsm(200, "{\"timers\":[]}", "timers", "account", "a", "--token", "secret-token-0123456789").exit());
    assertEquals(List.of("Bearer secret-token-0123456789", "Bearer secret-token-0123456789"), tokens);
  }

  @Test
  void aReplyIsPrintedAsTheNodeSentIt() {
    Run r = rsm(200, "{\"accepted\":true,\"balance\":3}", "send", "account", "a", "{\"type\":\"deposit\",\"amount\":3}",
        "--key", "k");
    assertEquals(new Run(0, "{\"accepted\":true,\"balance\":3}\n", ""), r);
  }

  @Test
  void aUrlWithoutSchemeIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cl = Rsm.commandLine();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(2, cl.execute("get", "account", "a", "--node", "localhost:8080"), err.toString());
    assertTrue(err.toString().startsWith("rsm: --node: not an http(s) URL"), err.toString());
  }

  static void assertExit(int code, Run r, String fragment) {
    assertEquals(code, r.exit(), r.toString());
    assertTrue(r.err().startsWith("rsm: ") && r.err().contains(fragment), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertEquals("", r.out(), r.toString());
  }
}
