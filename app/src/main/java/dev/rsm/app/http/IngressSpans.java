package dev.rsm.app.http;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The span of one ingress request ({@code ingress POST /machines/{type}}), a child of the W3C
 * {@code traceparent} / {@code tracestate} the request carries, or the root of a new trace. It is
 * current while the input is sent, so the machine's step becomes its child (see {@code
 * Machines.ask}), and ends with the response, whose status it records (5xx is an error).
 */
final class IngressSpans {
  static final String NAME = "ingress POST /machines/{type}";
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> MACHINE_TYPE = AttributeKey.stringKey("rsm.machine.type");
  private static final AttributeKey<String> MACHINE_ID = AttributeKey.stringKey("rsm.machine.id");

  private final Tracer tracer;

  IngressSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Runs {@code send} inside the request's span. */
  CompletionStage<HttpResponse> traced(String type, String id, HttpRequest request,
      Supplier<CompletionStage<HttpResponse>> send) {
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, HEADERS);
    Span span = tracer.spanBuilder(NAME)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, "POST")
        .setAttribute(ROUTE, "/machines/{type}/{id}")
        .setAttribute(MACHINE_TYPE, type)
        .setAttribute(MACHINE_ID, id)
        .startSpan();
    CompletionStage<HttpResponse> response;
    try (Scope ignored = span.makeCurrent()) {
      response = send.get();
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      span.end();
      throw e;
    }
    return response.whenComplete((r, failure) -> {
      if (r != null) {
        int status = r.status().intValue();
        span.setAttribute(STATUS, (long) status);
        if (status >= 500) span.setStatus(StatusCode.ERROR);
      } else {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
  }

  /** The request's headers as the W3C propagator reads them (names are case-insensitive). */
  private static final TextMapGetter<HttpRequest> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpRequest request) {
      List<String> names = new ArrayList<>();
      for (HttpHeader h : request.getHeaders()) names.add(h.lowercaseName());
      return names;
    }

    @Override
    public String get(HttpRequest request, String key) {
      return request == null ? null : request.getHeader(key).map(HttpHeader::value).orElse(null);
    }
  };
}
