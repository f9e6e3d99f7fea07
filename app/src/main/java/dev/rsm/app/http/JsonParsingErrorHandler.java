package dev.rsm.app.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers a request that Pekko HTTP refuses before any route sees it (a URI or header over its
 * limits, bad framing, an unknown method, no Host) with the same JSON error body as every other
 * error, instead of Pekko's plain text. Configured as {@code pekko.http.server.parsing.error-handler}
 * in this module's reference.conf.
 *
 * <p>Logged at DEBUG, not at Pekko's default WARN: these requests come from clients, and a client
 * sending them in a loop must not be able to flood the node's log.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    if (log.isDebugEnabled()) log.debug("request refused by the HTTP parser ({}): {}", status, info.formatPretty());
    String summary = info.summary().isEmpty() ? status.reason() : info.summary();
    return HttpResponse.create()
        .withStatus(status.intValue())
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.error(Json.withoutClassNames(summary))));
  }
}
