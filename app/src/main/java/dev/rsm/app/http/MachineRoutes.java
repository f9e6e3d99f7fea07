package dev.rsm.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineUnavailableException;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import io.opentelemetry.api.trace.Tracer;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * The HTTP API of a node:
 *
 * <ul>
 *   <li>{@code POST /machines/{type}/{id}} — body: one input as JSON with its name in {@code "type"};
 *       optional {@code Idempotency-Key} header. 200 with the reply as JSON; a repeated key returns
 *       the recorded reply with {@code Idempotent-Replayed: true} and handles nothing again.
 *   <li>{@code GET /machines/{type}/{id}} — 200 with {@code {"type", "id", "state", "seqNr",
 *       "unackedOutputs", "armedTimers"}}.
 * </ul>
 *
 * Errors are JSON {@code {"error": "..."}}: 400 malformed JSON, unknown input type, bad fields, an
 * invalid machine id, or an input that cannot be journaled; 404 unknown machine type; 422 an
 * idempotency key reused with a different input; 429 with {@code Retry-After} when the machine
 * remembers as many unexpired idempotency keys as it may ({@code rsm.persistence.idempotency}); 413 body over {@code rsm.http.max-body}; 500 the handler threw; 503
 * with {@code Retry-After} when the machine or its journal is unavailable (retry with the same key).
 *
 * <p>With a tracer (tracing on: {@code rsm.tracing}, docs/observability.md), each {@code POST} is
 * a span, child of the request's W3C {@code traceparent}, and the machine's step is its child.
 *
 * <p>{@link OpenApiDocument} describes these routes, per machine type, as an OpenAPI contract: a
 * change to a status, header or body here belongs there too ({@code HttpIngressTest} checks every
 * exchange against it).
 *
 * <p>{@link dev.rsm.app.RsmNode} serves these routes behind {@link BearerAuth}: with {@code
 * rsm.http.auth.enabled}, a request without a configured token gets 401 before any of the above.
 */
public final class MachineRoutes extends AllDirectives {
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String REPLAYED = "Idempotent-Replayed";
  private static final int MAX_KEY_LENGTH = 255;

  private final Machines machines;
  private final HttpSettings settings;
  private final IngressTimer timer;
  private final IngressSpans spans; // null: tracing off

  public MachineRoutes(Machines machines, HttpSettings settings) {
    this(machines, settings, IngressTimer.NONE, null);
  }

  /**
   * Routes that report each request's latency and status to {@code timer} (metrics) and make each
   * request a span of {@code tracer} (null traces nothing).
   */
  public MachineRoutes(Machines machines, HttpSettings settings, IngressTimer timer, Tracer tracer) {
    this.machines = machines;
    this.settings = settings;
    this.timer = timer;
    this.spans = tracer == null ? null : new IngressSpans(tracer);
  }

  public Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
        pathPrefix("machines", () -> path(PathMatchers.segment().slash(PathMatchers.segment()), (type, id) ->
            timed(type, () -> concat(
                post(() -> optionalHeaderValueByName(IDEMPOTENCY_KEY, key ->
                    extractRequestEntity(requestEntity -> requestEntity.getContentLengthOption().orElse(0L) > settings.maxBody()
                        ? complete(tooLarge())
                        : withSizeLimit(settings.maxBody(), () ->
                        entity(Unmarshaller.entityToString(), body -> extractRequest(request ->
                            completeWithFuture(spans == null ? send(type, id, key.orElse(null), body)
                                : spans.traced(type, id, request, () -> send(type, id, key.orElse(null), body))))))))),
                get(() -> completeWithFuture(read(type, id)))))))));
  }

  /**
   * {@code inner}, with its latency and status reported to the timer. Errors and rejections are
   * turned into responses inside, so that they are timed too.
   */
  private Route timed(String typeName, java.util.function.Supplier<Route> inner) {
    if (timer == IngressTimer.NONE) return inner.get();
    long start = System.nanoTime();
    String type = machines.registry().find(typeName).isPresent() ? typeName : "unknown";
    return extractMethod(method -> mapResponse(r -> {
      timer.record(type, method.name().toLowerCase(java.util.Locale.ROOT), r.status().intValue(), System.nanoTime() - start);
      return r;
    }, () -> handleExceptions(exceptions(), () -> handleRejections(rejections(), inner))));
  }

  private CompletionStage<HttpResponse> send(String typeName, String id, String key, String body) {
    MachineType<?, ?> type = machines.registry().find(typeName).orElse(null);
    if (type == null) return done(unknownType(typeName));
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH))
      return done(json(StatusCodes.BAD_REQUEST, Json.error(
          IDEMPOTENCY_KEY + " must be 1 to " + MAX_KEY_LENGTH + " non-blank characters")));
    Address to;
    Object input;
    try {
      to = address(typeName, id);
      input = parseInput(type, body);
    } catch (BadInput e) {
      return done(json(StatusCodes.BAD_REQUEST, Json.error(e.getMessage())));
    }
    return machines.ask(to, key, input, settings.requestTimeout()).handle((r, failure) -> {
      if (failure != null) return unavailable("machine " + to + " did not answer within "
          + settings.requestTimeout().toMillis() + "ms (machine or journal unavailable); retry with the same "
          + IDEMPOTENCY_KEY);
      if (r instanceof IngressResult.Replied ok) {
        HttpResponse resp = json(StatusCodes.OK, Json.write(ok.reply()));
        return ok.duplicate() ? resp.addHeader(RawHeader.create(REPLAYED, "true")) : resp;
      }
      if (r instanceof IngressResult.Invalid bad)
        return json(StatusCodes.BAD_REQUEST, Json.error(Json.withoutClassNames(bad.error())));
      if (r instanceof IngressResult.Failed failed)
        return json(StatusCodes.INTERNAL_SERVER_ERROR, Json.error(failed.error(), failed.errorId()));
      if (r instanceof IngressResult.KeyReused reused)
        return json(StatusCodes.UNPROCESSABLE_ENTITY, Json.error(reused.error()));
      if (r instanceof IngressResult.TooManyKeys full)
        return json(StatusCodes.TOO_MANY_REQUESTS, Json.error(full.error()))
            .addHeader(RawHeader.create("Retry-After", Long.toString((full.retryAfterMillis() + 999) / 1000)));
      IngressResult.Unavailable busy = (IngressResult.Unavailable) r;
      return unavailable(Json.error(busy.error(), "reason", reasonName(busy.reason())));
    });
  }

  private static Address address(String typeName, String id) throws BadInput {
    try {
      return new Address(typeName, id);
    } catch (Address.InvalidIdException e) {
      throw new BadInput(e.getMessage());
    }
  }

  private static final class BadInput extends Exception {
    BadInput(String message) {
      super(message, null, false, false);
    }
  }

  private static Object parseInput(MachineType<?, ?> type, String body) throws BadInput {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadInput("malformed JSON: " + Json.withoutClassNames(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject())
      throw new BadInput("the body must be a JSON object with the input's name in \"type\"");
    JsonNode name = node.get("type");
    if (name == null || !name.isTextual())
      throw new BadInput("missing \"type\": one of " + type.inputsByName().keySet());
    Class<?> inputClass = type.inputsByName().get(name.asText());
    if (inputClass == null)
      throw new BadInput("unknown input type '" + shown(name.asText()) + "' for machine type " + type.name()
          + "; known: " + type.inputsByName().keySet());
    ((ObjectNode) node).remove("type");
    String input = shown(name.asText());
    try {
      return Json.MAPPER.treeToValue(node, inputClass);
    } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
      throw new BadInput("invalid " + input + ": unknown field '" + shown(e.getPropertyName()) + "'; its fields are "
          + fieldsOf(inputClass));
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
      String message = e.getOriginalMessage();
      java.util.regex.Matcher m = CREATOR_PROPERTY.matcher(message == null ? "" : message);
      if (m.find())
        throw new BadInput("invalid " + input + ": field '" + m.group(2) + "' "
            + (m.group(1).equals("Null value for") ? "must not be null" : "is missing") + "; its fields are "
            + fieldsOf(inputClass));
      throw new BadInput("invalid " + input + ": "
          + (field != null ? "field '" + shown(field) + "': " : "") + Json.withoutClassNames(message));
    } catch (JsonProcessingException e) {
      throw new BadInput("invalid " + input + ": " + Json.withoutClassNames(e.getOriginalMessage()));
    } catch (IllegalArgumentException e) {
      throw new BadInput("invalid " + input + ": " + Json.withoutClassNames(e.getMessage()));
    }
  }

  // Jackson's wording for a null or absent record component ("creator property").
  private static final java.util.regex.Pattern CREATOR_PROPERTY =
      java.util.regex.Pattern.compile("(Null value for|Missing) creator property '([^']*)'");

  private static java.util.List<String> fieldsOf(Class<?> inputClass) {
    return inputClass.isRecord()
        ? java.util.Arrays.stream(inputClass.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList()
        : java.util.List.of();
  }

  /** A name from the request as an error message repeats it: at most 100 characters. */
  private static String shown(String name) {
    return name == null ? "" : name.length() <= 100 ? name : name.substring(0, 100) + "...";
  }

  private CompletionStage<HttpResponse> read(String typeName, String id) {
    if (machines.registry().find(typeName).isEmpty()) return done(unknownType(typeName));
    Address of;
    try {
      of = address(typeName, id);
    } catch (BadInput e) {
      return done(json(StatusCodes.BAD_REQUEST, Json.error(e.getMessage())));
    }
    return machines.state(of, settings.requestTimeout()).handle((MachineView v, Throwable failure) -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
      if (cause instanceof MachineUnavailableException refused)
        return unavailable(Json.error(refused.getMessage(), "reason", reasonName(refused.reason())));
      if (failure != null) return unavailable("machine " + of + " did not answer within "
          + settings.requestTimeout().toMillis() + "ms (machine or journal unavailable)");
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("type", typeName);
      n.put("id", id);
      n.set("state", Json.MAPPER.valueToTree(v.state()));
      n.put("seqNr", v.seqNr());
      n.put("unackedOutputs", v.unackedOutputs());
      n.put("armedTimers", v.armedTimers());
      return json(StatusCodes.OK, Json.write(n));
    });
  }

  private HttpResponse unknownType(String typeName) {
    return json(StatusCodes.NOT_FOUND, Json.error("unknown machine type '" + typeName + "'; known types: "
        + machines.registry().types().stream().map(MachineType::name).toList()));
  }

  private HttpResponse unavailable(String message) {
    return unavailable(Json.error(message));
  }

  private HttpResponse unavailable(byte[] body) {
    return json(StatusCodes.SERVICE_UNAVAILABLE, body)
        .addHeader(RawHeader.create("Retry-After", Integer.toString(settings.retryAfterSeconds())));
  }

  /** {@code overloaded}, {@code not-confirmed}; null (left out) from a node that sent none. */
  static String reasonName(IngressResult.Unavailable.Reason reason) {
    return reason == null ? null : reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private static HttpResponse json(StatusCode status, byte[] body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse r) {
    return java.util.concurrent.CompletableFuture.completedFuture(r);
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> complete(tooLarge()))
        .build();
  }

  private HttpResponse tooLarge() {
    return json(StatusCodes.PAYLOAD_TOO_LARGE,
        Json.error("request body too large: the limit is " + settings.maxBody() + " bytes (rsm.http.max-body)"));
  }

  private static boolean sizeLimit(Throwable t) {
    for (; t != null; t = t.getCause()) if (t instanceof EntityStreamSizeException) return true;
    return false;
  }

  /**
   * Pekko's default rejection handling (404, 405, 413, ...) with JSON bodies. A body that passes the
   * limit while it streams in (chunked, or longer than its Content-Length said) is rejected as
   * malformed content caused by the size limit: that is the 413 of {@link #tooLarge()}.
   */
  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection.class,
            r -> complete(sizeLimit(r.getCause()) ? tooLarge() : json(StatusCodes.BAD_REQUEST,
                Json.error("malformed request body: " + Json.withoutClassNames(r.message())))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(resp -> {
          if (resp.entity() instanceof HttpEntity.Strict strict && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON))
            return resp.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                Json.error(Json.withoutClassNames(strict.getData().utf8String()))));
          return resp;
        });
  }
}
