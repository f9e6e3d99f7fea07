package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.metrics.RsmMetrics;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.testing.Await;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * With {@code rsm.metrics.otlp.enabled}, the node's meters are pushed to the configured OTLP/HTTP
 * endpoint every {@code step}, as protobuf; {@code /metrics} keeps its own registry. The collector
 * is a stub HTTP server that records what it is sent.
 */
class OtlpExportTest {

  record Push(String path, String contentType, byte[] body) {}

  @Test
  void metersArePushedToTheCollector() throws Exception {
    List<Push> pushes = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/", exchange -> {
      pushes.add(new Push(exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "otlp", ConfigFactory.parseString(
            "pekko.actor.provider = local\n"
                + "rsm.metrics.otlp { enabled = on, step = 1s, url = \"http://127.0.0.1:"
                + collector.getAddress().getPort() + "/v1/metrics\" }")
        .withFallback(ConfigFactory.load()));
    try {
      StepObserver metrics = RsmMetrics.get(system).observe(MachineRegistry.of(Brittle.TYPE), StepObserver.NONE);
      metrics.stepJournaled(Brittle.TYPE.address("b"), new Brittle.Ok(), 1);
      Push push = Await.until("a push naming rsm.steps", Duration.ofSeconds(20), () -> pushes.stream()
          .filter(p -> new String(p.body(), StandardCharsets.ISO_8859_1).contains("rsm.steps")).findFirst(),
          java.util.Optional::isPresent).get();
      assertEquals("/v1/metrics", push.path());
      assertEquals("application/x-protobuf", push.contentType());
      String text = new String(push.body(), StandardCharsets.ISO_8859_1);
      assertTrue(text.contains("brittle"), "the type tag is pushed");
      assertTrue(RsmMetrics.get(system).scrape().orElseThrow().contains("rsm_steps_total{type=\"brittle\"} 1"),
          "/metrics counts the same step");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      // The registries close (the OTLP one pushing a last time) right after the system terminated.
      Await.until("the registries closed", Duration.ofSeconds(10),
          () -> RsmMetrics.get(system).registry().orElseThrow().isClosed(), closed -> closed);
      collector.stop(0);
    }
  }
}
