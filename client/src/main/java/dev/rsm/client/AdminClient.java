package dev.rsm.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.client.internal.Calls;
import dev.rsm.client.internal.Responses;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;

/**
 * The read-only admin API of one node ({@link RsmClient#admin(URI)}, {@code docs/admin-api.md}),
 * its answers as JSON. Every read is retried on 503s, timeouts and refused connections until the
 * client's deadline; any other error status ends it as its {@link RsmException} (404 an unknown
 * type, 400 a bad parameter, 401 a missing token).
 */
public final class AdminClient {
  private final Calls calls;
  private final ObjectMapper mapper;

  AdminClient(Calls calls, ObjectMapper mapper) {
    this.calls = calls;
    this.mapper = mapper;
  }

  /** {@code GET /admin/machines/{type}/{id}}: one machine rebuilt from its journal, its channels and timers. */
  public JsonNode machine(String type, String id) {
    return get("machines/" + segment(type) + "/" + segment(id), Map.of());
  }

  /**
   * {@code GET /admin/machines/{type}/{id}/journal}: one page of its steps, oldest first, from row
   * {@code from} (null: the first), at most {@code limit} rows (null: the node's default page).
   */
  public JsonNode journal(String type, String id, Long from, Integer limit) {
    Map<String, Object> query = new LinkedHashMap<>();
    if (from != null) query.put("from", from);
    if (limit != null) query.put("limit", limit);
    return get("machines/" + segment(type) + "/" + segment(id) + "/journal", query);
  }

  /**
   * {@code GET /admin/{path}?{query}}, for the endpoints without a method here: {@code path} is
   * already encoded ({@code "types"}, {@code "cluster"}), the query's values are encoded here.
   */
  public JsonNode get(String path, Map<String, ?> query) {
    return MachineClient.join(getAsync(path, query));
  }

  public CompletableFuture<JsonNode> getAsync(String path, Map<String, ?> query) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    query.forEach((k, v) -> q.add(segment(k) + "=" + segment(String.valueOf(v))));
    String relative = "admin/" + path + q;
    return calls.send(base -> HttpRequest.newBuilder(resolve(base, relative)).GET(), true)
        .thenApply(a -> Responses.body(a.response(), mapper));
  }

  private static URI resolve(URI base, String relative) {
    String b = base.toString();
    return URI.create((b.endsWith("/") ? b : b + "/") + relative);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
