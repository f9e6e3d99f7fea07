package dev.rsm.app;

import com.typesafe.config.Config;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The OpenTelemetry a node's spans go to when {@code rsm.tracing.enabled} is on and {@code
 * rsm.tracing.otlp.endpoint} is set: an SDK of the node's own that batches spans to that OTLP
 * endpoint, as service {@code rsm.tracing.service-name} (the ActorSystem's name by default), the
 * node's cluster address as {@code service.instance.id}. It is shut down, flushing what it holds,
 * at the end of the node's CoordinatedShutdown. Without an endpoint the runtime uses the
 * OpenTelemetry registered globally (the Java agent's, or the application's).
 */
final class NodeTracing {
  private NodeTracing() {}

  /** The node's own SDK, or empty when tracing is off or no OTLP endpoint is configured. */
  static Optional<OpenTelemetry> fromConfig(ActorSystem<?> system, Config config) {
    if (!config.getBoolean("rsm.tracing.enabled")) return Optional.empty();
    String endpoint = config.getString("rsm.tracing.otlp.endpoint");
    if (endpoint.isEmpty()) return Optional.empty();
    String protocol = config.getString("rsm.tracing.otlp.protocol");
    SpanExporter exporter = switch (protocol) {
      case "grpc" -> OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build();
      case "http/protobuf" -> OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build();
      default -> throw new IllegalArgumentException(
          "rsm.tracing.otlp.protocol must be \"http/protobuf\" or \"grpc\", not \"" + protocol + "\"");
    };
    String service = config.getString("rsm.tracing.service-name");
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), service.isEmpty() ? system.name() : service,
        AttributeKey.stringKey("service.instance.id"), Cluster.get(system).selfMember().address().toString())));
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build())
        .build();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "rsm-tracing",
        () -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
          return Done.getInstance();
        }));
    return Optional.of(sdk);
  }
}
