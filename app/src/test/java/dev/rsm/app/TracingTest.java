package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.internal.Tracing;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * One HTTP request's path as OpenTelemetry sees it: a transfer sent to an account on one node,
 * whose deposit is delivered to an account on another, is one trace, continuing the request's W3C
 * traceparent: ingress → step (sender) → journal write and deliver → step (receiver) → its journal
 * write. With tracing off nothing is recorded, though an SDK is at hand.
 */
class TracingTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE);
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01";
  static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("service.instance.id");
  static final AttributeKey<String> MACHINE_ID = AttributeKey.stringKey("rsm.machine.id");
  static final AttributeKey<String> INPUT_TYPE = AttributeKey.stringKey("rsm.input.type");
  static final AttributeKey<Long> SEQ_NR = AttributeKey.longKey("rsm.step.seq_nr");

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  /** An SDK of one node, exporting to the test's exporter, its spans marked with {@code node}. */
  RuntimeOptions tracedAs(String node) {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(Resource.create(io.opentelemetry.api.common.Attributes.of(INSTANCE, node)))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build())
        .build();
    return RuntimeOptions.defaults().withOpenTelemetry(sdk);
  }

  @Test
  void oneRequestAcrossTwoMachinesOnTwoNodesIsOneTrace() {
    Config on = ConfigFactory.parseString("rsm.tracing.enabled = on");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, on)) {
      RsmNode n1 = cluster.start(ConfigFactory.empty(), tracedAs("node-1"));
      RsmNode n2 = cluster.start(ConfigFactory.empty(), tracedAs("node-2"));
      cluster.awaitUp(2);
      // Accounts with money on both nodes; then one whose machine lives on node 1 and one on node 2.
      for (int i = 0; i < 12; i++)
        assertTrue(n1.machines().ask(Account.TYPE.address("acc" + i), "open-" + i, new Account.Deposit(100))
            .toCompletableFuture().join() instanceof IngressResult.Replied);
      String from = Placement.hostedIds(n1, "account").stream().sorted().findFirst().orElseThrow();
      String to = Placement.hostedIds(n2, "account").stream().sorted().findFirst().orElseThrow();
      exporter.reset();

      HttpResponse<String> r = post(n1.httpPort(), "/machines/account/" + from,
          "{\"type\":\"transfer\",\"to\":\"" + to + "\",\"amount\":5}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("{\"accepted\":true,\"balance\":95}", r.body());

      List<SpanData> trace = Await.until("the receiver's step and its journal write in the request's trace",
          Duration.ofSeconds(20), () -> inTrace(exporter.getFinishedSpanItems()),
          spans -> spans.stream().anyMatch(s -> s.getName().equals("journal write") && to.equals(s.getAttributes().get(MACHINE_ID))));

      SpanData ingress = one(trace, s -> s.getName().equals("ingress POST /machines/{type}"));
      SpanData senderStep = one(trace, s -> s.getName().equals("step account") && from.equals(s.getAttributes().get(MACHINE_ID)));
      SpanData senderWrite = one(trace, s -> s.getName().equals("journal write") && from.equals(s.getAttributes().get(MACHINE_ID)));
      SpanData receiverStep = one(trace, s -> s.getName().equals("step account") && to.equals(s.getAttributes().get(MACHINE_ID)));
      // The delivery the receiver handled (the first, unless a resend overtook a lost one).
      SpanData deliver = one(trace, s -> s.getName().equals("deliver account")
          && s.getSpanId().equals(receiverStep.getParentSpanId()));
      SpanData receiverWrite = one(trace, s -> s.getName().equals("journal write") && to.equals(s.getAttributes().get(MACHINE_ID)));

      assertEquals(CLIENT_SPAN, ingress.getParentSpanId(), "the ingress continues the request's traceparent");
      assertTrue(ingress.getParentSpanContext().isRemote());
      assertEquals(ingress.getSpanId(), senderStep.getParentSpanId(), "the sender's step is the ingress's child");
      assertEquals("Transfer", senderStep.getAttributes().get(INPUT_TYPE));
      assertEquals(2L, senderStep.getAttributes().get(SEQ_NR), "the sender's second step: after its opening deposit");
      assertEquals(senderStep.getSpanId(), senderWrite.getParentSpanId(), "the sender's write is its step's child");
      assertEquals(senderStep.getSpanId(), deliver.getParentSpanId(), "the delivery is the sender's step's child");
      assertEquals("account/" + to, deliver.getAttributes().get(AttributeKey.stringKey("rsm.deliver.to")));
      assertEquals(deliver.getSpanId(), receiverStep.getParentSpanId(), "the receiver's step is the delivery's child");
      assertEquals("Deposit", receiverStep.getAttributes().get(INPUT_TYPE));
      assertEquals(2L, receiverStep.getAttributes().get(SEQ_NR));
      assertEquals("machine", receiverStep.getAttributes().get(AttributeKey.stringKey("rsm.origin")));
      assertEquals(receiverStep.getSpanId(), receiverWrite.getParentSpanId(), "the receiver's write is its step's child");

      // Each step ran where its machine lives: the trace crossed from node 1 to node 2.
      assertEquals("node-1", senderStep.getResource().getAttribute(INSTANCE));
      assertEquals("node-2", receiverStep.getResource().getAttribute(INSTANCE));
      assertEquals("node-1", ingress.getResource().getAttribute(INSTANCE));
    }
  }

  @Test
  void tracingOffRecordsNothingThoughAnSdkIsGiven() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, ConfigFactory.empty())) {
      RsmNode n = cluster.start(ConfigFactory.empty(), tracedAs("node-1"));
      cluster.awaitUp(1);
      assertSame(Tracing.OFF, Tracing.of(n.system()), "rsm.tracing.enabled is off by default");
      assertEquals(200, post(n.httpPort(), "/machines/account/a", "{\"type\":\"deposit\",\"amount\":10}").statusCode());
      HttpResponse<String> r = post(n.httpPort(), "/machines/account/a", "{\"type\":\"transfer\",\"to\":\"b\",\"amount\":4}");
      assertEquals("{\"accepted\":true,\"balance\":6}", r.body());
      Address b = Account.TYPE.address("b");
      Await.until("b received the transfer", Duration.ofSeconds(20),
          () -> n.machines().state(b).toCompletableFuture().join().state(), s -> s.equals(new Account.State(4)));
      assertEquals(List.of(), exporter.getFinishedSpanItems());
    }
  }

  @Test
  void aNodeWithAnOtlpEndpointSendsItsSpansThere() throws Exception {
    // A stand-in collector: it keeps the bodies of the OTLP/HTTP requests it gets.
    java.util.concurrent.ConcurrentLinkedQueue<byte[]> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
    com.sun.net.httpserver.HttpServer collector =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      received.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try {
      Config otlp = ConfigFactory.parseString("rsm.tracing { enabled = on, service-name = \"bank\", otlp.endpoint = "
          + "\"http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces\" }");
      try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, otlp)) {
        RsmNode n = cluster.start();
        cluster.awaitUp(1);
        assertEquals(200, post(n.httpPort(), "/machines/account/a", "{\"type\":\"deposit\",\"amount\":10}").statusCode());
      } // the node's shutdown flushes its spans
      String all = received.stream().map(b -> new String(b, java.nio.charset.StandardCharsets.ISO_8859_1))
          .reduce("", String::concat);
      // OTLP's protobuf holds strings as they are: the service, the span names, the request's trace id.
      for (String expected : List.of("bank", "ingress POST /machines/{type}", "step account", "journal write"))
        assertTrue(all.contains(expected), expected + " not among the " + received.size() + " request(s) received");
      assertTrue(all.contains(new String(hex(TRACE_ID), java.nio.charset.StandardCharsets.ISO_8859_1)),
          "the request's trace id");
    } finally {
      collector.stop(0);
    }
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }

  static HttpResponse<String> post(int port, String path, String body) {
    return Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json")
        .header("traceparent", TRACEPARENT)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  static List<SpanData> inTrace(List<SpanData> spans) {
    return spans.stream().filter(s -> s.getTraceId().equals(TRACE_ID)).toList();
  }

  static SpanData one(List<SpanData> trace, Predicate<SpanData> p) {
    List<SpanData> found = trace.stream().filter(p).toList();
    assertEquals(1, found.size(), "exactly one such span in " + names(trace));
    return found.get(0);
  }

  static Set<String> names(List<SpanData> trace) {
    return Set.copyOf(trace.stream().map(s -> s.getName() + "@" + s.getAttributes().get(MACHINE_ID)).toList());
  }
}
