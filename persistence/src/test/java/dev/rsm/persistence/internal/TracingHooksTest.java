package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.GroupCommit.Batch;
import dev.rsm.persistence.internal.GroupCommit.Taken;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hooks of {@link Tracing} on the per-message path: off, they make no span and allocate
 * nothing; on, a delivery is its step's child and carries its own traceparent, and what is kept
 * of the outputs' steps goes with their acknowledgement.
 */
class TracingHooksTest {
  static final Address SELF = new Address("account", "a");
  static final Address TO = new Address("account", "b");
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @Test
  void offTheHooksMakeNothingAndAllocateNothing() {
    Tracing off = Tracing.OFF;
    Origin origin = new Origin.External("k");
    Object input = "an input";
    OutChannel ch = new OutChannel(null, TO, 1, 0);
    Batch batch = new Batch(null, List.of(new Taken(null, 1, null, null, null, ch, null)));
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long sink = 0;
    for (int round = 0; round < 2; round++) { // the first warms up (and loads classes)
      long before = mx.getThreadAllocatedBytes(thread);
      for (int i = 0; i < 100_000; i++) {
        Span step = off.stepStarted(SELF, origin, input, PARENT);
        Span write = off.writeStarted(SELF, batch);
        String deliver = off.delivering(SELF, null, ch, 1, false);
        Tracing.writeEnded(write);
        Tracing.stepReleased(step, i);
        if (step != null || write != null || deliver != null || off.current() != null) sink++;
      }
      long allocated = mx.getThreadAllocatedBytes(thread) - before;
      // 100,000 messages in a few hundred bytes at most: the measuring itself, nothing per message.
      if (round == 1) assertTrue(allocated < 10_000, "allocated " + allocated + " bytes for 100,000 messages");
    }
    assertEquals(0, sink, "no span, no trace context");
  }

  @Test
  void onADeliveryIsItsStepsChildAndTheChannelForgetsAcknowledgedOutputs() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing on = Tracing.to(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .build());
    Span step = on.stepStarted(SELF, new Origin.External(null), "input", PARENT);
    OutChannel ch = new OutChannel(null, TO, 0, 0);
    Tracing.Outputs outputs = new Tracing.Outputs();
    for (long seq = 1; seq <= 3; seq++) {
      ch.append(new StepTaken.Sent(TO, seq, "out" + seq));
      outputs.add(ch, seq, step);
    }
    String traceparent = on.delivering(SELF, outputs, ch, 2, false);
    Tracing.stepReleased(step, 7);

    SpanData stepData = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("step account"))
        .findFirst().orElseThrow();
    SpanData deliver = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("deliver account"))
        .findFirst().orElseThrow();
    assertEquals(TRACE_ID, stepData.getTraceId());
    assertEquals("00f067aa0ba902b7", stepData.getParentSpanId());
    assertEquals(stepData.getSpanId(), deliver.getParentSpanId());
    assertEquals(7L, stepData.getAttributes().get(Tracing.SEQ_NR));
    assertEquals(2L, deliver.getAttributes().get(Tracing.CHANNEL_SEQ));
    assertEquals("00-" + TRACE_ID + "-" + deliver.getSpanId() + "-01", traceparent);

    ch.ack(2);
    outputs.acked(ch);
    assertEquals(1, outputs.size(), "only the unacknowledged output's step is kept");
    assertNull(on.delivering(SELF, outputs, ch, 2, true), "an acknowledged output has no step any more");
    assertNotEquals(null, on.delivering(SELF, outputs, ch, 3, true));
    ch.ack(3);
    outputs.acked(ch);
    assertEquals(0, outputs.size(), "nothing is kept once every output is acknowledged");
  }

  @Test
  void onWithoutAnOpenTelemetryStaysOffAndRegistersNoneGloballyUntilOneIsRegistered() {
    org.apache.pekko.actor.typed.ActorSystem<Void> system = org.apache.pekko.actor.typed.ActorSystem.create(
        org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "tracing",
        com.typesafe.config.ConfigFactory.parseString("rsm.tracing.enabled = on")
            .withFallback(com.typesafe.config.ConfigFactory.load()));
    try {
      assertEquals(Tracing.OFF, Tracing.start(system, null));
      assertEquals(Tracing.OFF, Tracing.of(system));
      assertEquals(false, GlobalOpenTelemetry.isSet(), "an application may still register its own");
      OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
      GlobalOpenTelemetry.set(sdk);
      assertTrue(Tracing.start(system, null).enabled(), "the globally registered one is used");
      assertTrue(Tracing.of(system).enabled());
    } finally {
      GlobalOpenTelemetry.resetForTest();
      system.terminate();
    }
  }

  @Test
  void aWriteOfSeveralStepsIsTheFirstOnesChildLinkedToTheOthersAndFailsWithThem() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing on = Tracing.to(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .build());
    Span first = on.stepStarted(SELF, new Origin.External(null), "input", PARENT);
    Span second = on.stepStarted(SELF, new Origin.External(null), "input", null);
    Batch batch = new Batch(null, List.of(new Taken(null, 1, null, null, null, null, first),
        new Taken(null, 2, null, null, null, null, null), new Taken(null, 3, null, null, null, null, second)));
    Span write = on.writeStarted(SELF, batch);
    Tracing.writeFailed(write, batch);

    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData w = spans.stream().filter(x -> x.getName().equals("journal write")).findFirst().orElseThrow();
    assertEquals(first.getSpanContext().getSpanId(), w.getParentSpanId());
    assertEquals(List.of(second.getSpanContext()), w.getLinks().stream().map(l -> l.getSpanContext()).toList());
    assertEquals(3L, w.getAttributes().get(Tracing.STEPS));
    assertEquals(3, spans.size(), "the write and both traced steps end");
    for (SpanData x : spans) assertEquals(io.opentelemetry.api.trace.StatusCode.ERROR, x.getStatus().getStatusCode(), x.getName());
  }

  @Test
  void aMalformedTraceparentStartsANewTrace() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing on = Tracing.to(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .build());
    Span step = on.stepStarted(SELF, new Origin.External(null), "input", "00-not-a-trace-01");
    Tracing.stepReleased(step, 1);
    SpanData s = exporter.getFinishedSpanItems().get(0);
    assertTrue(s.getSpanContext().isValid());
    assertEquals(false, s.getParentSpanContext().isValid(), "a root span");
  }
}
