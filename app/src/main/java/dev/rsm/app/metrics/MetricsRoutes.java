package dev.rsm.app.metrics;

import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the management port: the node's meters in Prometheus's text format
 * (version 0.0.4). Registered with Pekko Management in the app's reference.conf ({@code
 * pekko.management.http.routes.rsm-metrics}), so it is served wherever management's routes are,
 * behind the same authentication and TLS ({@code rsm.node.management-auth}, {@code
 * management-tls}). With {@code rsm.metrics.enabled = off} the path is not matched (404).
 */
public final class MetricsRoutes extends AllDirectives implements ManagementRouteProvider {
  /** The content type Prometheus expects of the text exposition format. */
  static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final RsmMetrics metrics;

  /** Created by Pekko Management, by reflection, with the node's ActorSystem. */
  public MetricsRoutes(ExtendedActorSystem system) {
    this.metrics = RsmMetrics.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    // Inside an extraction: scraped for each request, not once when the route is built.
    return path("metrics", () -> get(() -> extractRequest(request -> {
      Optional<String> text = metrics.scrape();
      if (text.isEmpty()) return reject();
      return complete(HttpResponse.create().withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(PROMETHEUS_TEXT, text.get().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    })));
  }
}
