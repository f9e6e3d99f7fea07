package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.GroupCommit.Batch;
import dev.rsm.persistence.internal.GroupCommit.Taken;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * INTERNAL API. The spans of a node's machines ({@code rsm.tracing}, docs/observability.md): a step
 * ({@code step <type>}), its journal write ({@code journal write}) and each delivery of its outputs
 * ({@code deliver <type>}), linked across machines and nodes by a W3C {@code traceparent} carried in
 * {@link Protocol.Ingress} and {@link Protocol.Deliver}.
 *
 * <p>Off ({@link #OFF}: {@code rsm.tracing.enabled = off}, the default), every method returns null
 * or does nothing after one branch, and allocates nothing; the call sites in the per-message path
 * stay one line each. The trace context is never journaled: a step's meaning (and its replay) does
 * not depend on it, and an output resent by a later incarnation (after a restart or a hand-off)
 * goes without it, so the receiver's step starts a trace of its own.
 */
public final class Tracing {
  /** Tracing off: no span is ever created. */
  public static final Tracing OFF = new Tracing(null);

  /** The instrumentation scope the spans are reported under. */
  public static final String SCOPE = "dev.rsm";

  static final AttributeKey<String> MACHINE_TYPE = AttributeKey.stringKey("rsm.machine.type");
  static final AttributeKey<String> MACHINE_ID = AttributeKey.stringKey("rsm.machine.id");
  static final AttributeKey<String> INPUT_TYPE = AttributeKey.stringKey("rsm.input.type");
  static final AttributeKey<String> ORIGIN = AttributeKey.stringKey("rsm.origin");
  static final AttributeKey<Long> SEQ_NR = AttributeKey.longKey("rsm.step.seq_nr");
  static final AttributeKey<Long> STEPS = AttributeKey.longKey("rsm.journal.steps");
  static final AttributeKey<String> TO = AttributeKey.stringKey("rsm.deliver.to");
  static final AttributeKey<Long> CHANNEL_SEQ = AttributeKey.longKey("rsm.deliver.seq");
  static final AttributeKey<Boolean> RESEND = AttributeKey.booleanKey("rsm.deliver.resend");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final Tracer tracer; // null: off

  private Tracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The tracing of a runtime on {@code system}: {@link #OFF} until {@link #start} turned it on. */
  public static Tracing of(ActorSystem<?> system) {
    return Holder.ID.get(Adapter.toClassic(system)).current;
  }

  /**
   * Called once by a runtime as it starts, before its first machine: with {@code
   * rsm.tracing.enabled}, spans go to {@code openTelemetry}, or, if null, to the one registered
   * with {@link GlobalOpenTelemetry} (by the application or the OpenTelemetry Java agent) by then.
   * Off, or on with neither, the runtime is {@link #OFF}.
   */
  public static Tracing start(ActorSystem<?> system, OpenTelemetry openTelemetry) {
    Holder holder = Holder.ID.get(Adapter.toClassic(system));
    holder.current = OFF;
    if (!system.settings().config().getBoolean("rsm.tracing.enabled")) return OFF;
    if (openTelemetry != null) {
      holder.current = to(openTelemetry);
    } else if (GlobalOpenTelemetry.isSet()) {
      // Not get() when none is set: it would register a no-op for good, and the application's
      // own registration afterwards would fail.
      holder.current = to(GlobalOpenTelemetry.get());
    } else {
      system.log().warn("rsm.tracing.enabled is on, but no OpenTelemetry was given (RuntimeOptions.withOpenTelemetry, "
          + "rsm.tracing.otlp.endpoint) nor registered with GlobalOpenTelemetry (the OpenTelemetry Java agent): "
          + "no spans are made (docs/observability.md)");
    }
    return holder.current;
  }

  /** Tracing on, to {@code otel}. */
  static Tracing to(OpenTelemetry otel) {
    return new Tracing(otel.getTracer(SCOPE));
  }

  /** Whether spans are made (tracing on). */
  public boolean enabled() {
    return tracer != null;
  }

  /** The tracer spans are made with, or null when off. */
  public Tracer tracer() {
    return tracer;
  }

  // ---------------------------------------------------------------- the context on the wire

  /** The W3C traceparent of the caller's current span (OpenTelemetry's {@link Context#current()}), or null. */
  String current() {
    if (tracer == null) return null;
    SpanContext c = Span.current().getSpanContext();
    return c.isValid() ? traceparent(c) : null;
  }

  /** {@code c} as a W3C traceparent: 55 characters ({@code 00-trace-span-flags}). */
  static String traceparent(SpanContext c) {
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  private static Context parent(String traceparent) {
    if (traceparent == null) return Context.root();
    return W3C.extract(Context.root(), traceparent, TRACEPARENT);
  }

  /** Reads a single traceparent string as the W3C propagator's carrier. */
  private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };

  // ---------------------------------------------------------------- steps

  /**
   * A step of {@code self} on {@code input} begins: its span, child of {@code traceparent} (the
   * ingress or the delivery that brought the input; a new trace without one), or null when off.
   */
  Span stepStarted(Address self, Origin origin, Object input, String traceparent) {
    if (tracer == null) return null;
    return tracer.spanBuilder("step " + self.type())
        .setParent(parent(traceparent))
        .setSpanKind(traceparent == null ? SpanKind.INTERNAL : SpanKind.CONSUMER)
        .setAttribute(MACHINE_TYPE, self.type())
        .setAttribute(MACHINE_ID, self.id())
        .setAttribute(INPUT_TYPE, input == null ? "null" : input.getClass().getSimpleName())
        .setAttribute(ORIGIN, origin instanceof Origin.Channel ? "machine"
            : origin instanceof Origin.Timer ? "timer" : "external")
        .startSpan();
  }

  /** The step was not taken: the handler threw, or its values cannot be journaled. */
  static void stepFailed(Span step, Exception e) {
    if (step == null) return;
    step.recordException(e);
    step.setStatus(StatusCode.ERROR, e.getMessage());
    step.end();
  }

  /** The step's outputs have left after its write: its span ends. */
  static void stepReleased(Span step, long seqNr) {
    if (step == null) return;
    step.setAttribute(SEQ_NR, seqNr);
    step.end();
  }

  // ---------------------------------------------------------------- journal writes

  /**
   * A journal write of {@code batch} begins: its span, child of the first traced step in it and
   * linked to the other traced ones (a write holds the steps of group commit), or null when off
   * or when no step in it is traced.
   */
  Span writeStarted(Address self, Batch batch) {
    if (tracer == null) return null;
    SpanBuilder b = null;
    for (Taken t : batch.steps()) {
      if (t.span() == null) continue;
      if (b == null) b = tracer.spanBuilder("journal write").setParent(Context.root().with(t.span()));
      else b.addLink(t.span().getSpanContext());
    }
    if (b == null) return null;
    return b.setAttribute(MACHINE_TYPE, self.type())
        .setAttribute(MACHINE_ID, self.id())
        .setAttribute(STEPS, (long) batch.steps().size())
        .startSpan();
  }

  /** The write succeeded. */
  static void writeEnded(Span write) {
    if (write != null) write.end();
  }

  /**
   * The machine stopped with {@code batch} in flight (the write failed, or a crash): it may or may
   * not be in the journal. The write's and its steps' spans end as errors.
   */
  static void writeFailed(Span write, Batch batch) {
    if (write == null) return;
    String why = "the machine stopped before its journal write was confirmed (write failed or crash)";
    write.setStatus(StatusCode.ERROR, why);
    write.end();
    for (Taken t : batch.steps()) {
      if (t.span() == null) continue;
      t.span().setStatus(StatusCode.ERROR, why);
      t.span().end();
    }
  }

  // ---------------------------------------------------------------- deliveries

  /**
   * The steps of one incarnation's unacknowledged outputs, by channel, so that their deliveries
   * (first sends and resends alike) are the steps' children. Held by the {@link Sender}, made with
   * the first traced output: a channel holds nothing for tracing, and an incarnation that never
   * traced holds nothing at all. Entries go with their outputs' acknowledgement.
   */
  static final class Outputs {
    private final IdentityHashMap<OutChannel, ArrayDeque<Output>> byChannel = new IdentityHashMap<>();

    /** Output {@code seq} on {@code ch} was taken by {@code step}. */
    void add(OutChannel ch, long seq, Span step) {
      byChannel.computeIfAbsent(ch, c -> new ArrayDeque<>(4)).addLast(new Output(seq, step.getSpanContext()));
    }

    /** Forgets the steps of the outputs {@code ch} has had acknowledged. */
    void acked(OutChannel ch) {
      ArrayDeque<Output> outputs = byChannel.get(ch);
      if (outputs == null) return;
      while (!outputs.isEmpty() && outputs.peekFirst().seq() <= ch.acked) outputs.pollFirst();
      if (outputs.isEmpty()) byChannel.remove(ch);
    }

    /** The step of output {@code seq} on {@code ch}, or null. */
    SpanContext step(OutChannel ch, long seq) {
      ArrayDeque<Output> outputs = byChannel.get(ch);
      if (outputs == null) return null;
      for (Output o : outputs) {
        if (o.seq() == seq) return o.step();
        if (o.seq() > seq) return null;
      }
      return null;
    }

    /** The outputs whose steps are held. */
    int size() {
      int n = 0;
      for (ArrayDeque<Output> outputs : byChannel.values()) n += outputs.size();
      return n;
    }
  }

  private record Output(long seq, SpanContext step) {}

  /**
   * Output {@code seq} on {@code ch} goes on the wire: a {@code deliver} span, child of the step
   * that took it, ended at once; returns its traceparent for the {@link Protocol.Deliver}, or null
   * when off or the step is unknown (an output recovered from the journal).
   */
  String delivering(Address self, Outputs outputs, OutChannel ch, long seq, boolean resend) {
    if (tracer == null || outputs == null) return null;
    SpanContext step = outputs.step(ch, seq);
    if (step == null) return null;
    Span d = tracer.spanBuilder("deliver " + ch.to.type())
        .setParent(Context.root().with(Span.wrap(step)))
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(MACHINE_TYPE, self.type())
        .setAttribute(MACHINE_ID, self.id())
        .setAttribute(TO, ch.to.toString())
        .setAttribute(CHANNEL_SEQ, seq)
        .setAttribute(RESEND, resend)
        .startSpan();
    d.end();
    return traceparent(d.getSpanContext());
  }

  /** Holds a system's tracing, set when its runtime starts. */
  private static final class Holder implements Extension {
    static final AbstractExtensionId<Holder> ID = new AbstractExtensionId<>() {
      @Override
      public Holder createExtension(ExtendedActorSystem system) {
        return new Holder();
      }
    };

    volatile Tracing current = OFF;
  }
}
