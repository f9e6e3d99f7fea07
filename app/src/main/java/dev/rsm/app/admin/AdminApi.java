package dev.rsm.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.app.monitor.ReplicaMonitorSingleton;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.internal.MachineInspector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The read-only admin API (docs/admin-api.md): one {@code GET} under {@code /admin} in, one JSON
 * response out. Machines are read from the journal ({@link MachineInspector}) and the cluster from
 * the shard regions' own state, so a read never starts, wakes or remembers a machine.
 *
 * <p>Errors are {@code {"error": "..."}}: 400 for a bad parameter, 404 for an unknown path, type or
 * machine, 503 (with Retry-After) before the node's machines are up, when the journal database
 * cannot be read or a read takes longer than {@code rsm.admin.timeout}.
 */
final class AdminApi {
  /** Idempotency keys shown per machine, newest first. */
  private static final int KEYS_SHOWN = 20;

  private final Admin admin;
  private final AdminSettings settings;

  AdminApi(Admin admin) {
    this.admin = admin;
    this.settings = admin.settings();
  }

  /** Bad input from the caller: a 400 or a 404 with this message. */
  private static final class Refused extends RuntimeException {
    final StatusCode status;

    Refused(StatusCode status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * Answers {@code request}; {@code rest} is its path after {@code /admin} (raw), so that a
   * management {@code base-path} in front of it does not matter.
   */
  CompletionStage<HttpResponse> handle(HttpRequest request, String rest) {
    Admin.Node node = admin.node();
    if (node == null)
      return done(unavailable("the node is starting: its machines are not up yet"));
    // The decoded segments of the request's path, from "admin" on (an id may hold an encoded "/").
    List<String> all = new ArrayList<>();
    for (String s : request.getUri().pathSegments()) if (!s.isEmpty()) all.add(s);
    int start = all.size() - 1 - (int) java.util.Arrays.stream(rest.split("/")).filter(s -> !s.isEmpty()).count();
    if (start < 0 || !all.get(start).equals("admin")) // "/adminx": the prefix matched part of a segment
      return done(json(StatusCodes.NOT_FOUND, AdminJson.error("no admin endpoint at " + request.getUri().path())));
    List<String> path = new ArrayList<>(all.subList(start, all.size()));
    try {
      return route(node, path, request).toCompletableFuture()
          .orTimeout(settings.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .exceptionally(AdminApi::failure);
    } catch (Refused r) {
      return done(json(r.status, AdminJson.error(r.getMessage())));
    }
  }

  private CompletionStage<HttpResponse> route(Admin.Node node, List<String> p, HttpRequest request) {
    int n = p.size(); // p.get(0) is "admin"
    if (n == 1) return ok(index());
    if (n == 2 && p.get(1).equals("types")) return types(node);
    if (n == 4 && p.get(1).equals("types") && p.get(3).equals("machines")) return machines(node, p.get(2), request);
    if (n == 4 && p.get(1).equals("machines")) return machine(node, address(node, p.get(2), p.get(3)));
    if (n == 5 && p.get(1).equals("machines") && p.get(4).equals("journal"))
      return journal(node, address(node, p.get(2), p.get(3)), request);
    if (n == 2 && p.get(1).equals("cluster"))
      return ClusterView.read(admin.system(), node.registry(), settings.idsPerNode(), settings.timeout().dividedBy(2))
          .thenApply(AdminApi::okNow);
    if (n == 2 && p.get(1).equals("rejections")) return rejections(node);
    if (n == 2 && p.get(1).equals("divergences")) return divergences(node);
    throw new Refused(StatusCodes.NOT_FOUND, "no admin endpoint at " + request.getUri().path() + "; see GET /admin");
  }

  private static JsonNode index() {
    ObjectNode n = AdminJson.MAPPER.createObjectNode();
    ArrayNode e = n.putArray("endpoints");
    for (String s : List.of("/admin/types", "/admin/types/{type}/machines?after=&limit=&q=",
        "/admin/machines/{type}/{id}", "/admin/machines/{type}/{id}/journal?from=&limit=&order=asc|desc",
        "/admin/cluster", "/admin/rejections", "/admin/divergences"))
      e.add(s);
    n.put("docs", "docs/admin-api.md");
    return n;
  }

  private CompletionStage<HttpResponse> types(Admin.Node node) {
    return node.reads().read(inspector -> {
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      ArrayNode types = n.putArray("types");
      for (MachineType<?, ?> t : node.registry().types()) {
        ObjectNode o = types.addObject();
        o.put("name", t.name());
        ArrayNode inputs = o.putArray("inputs");
        t.inputsByName().keySet().forEach(inputs::add);
        o.put("stateType", t.stateType().getSimpleName());
        o.put("machines", inspector.count(t.name()));
      }
      return okNow(n);
    });
  }

  private CompletionStage<HttpResponse> machines(Admin.Node node, String type, HttpRequest request) {
    knownType(node.registry(), type);
    int limit = limit(request);
    String after = request.getUri().query().get("after").orElse(null);
    String q = request.getUri().query().get("q").filter(s -> !s.isEmpty()).orElse(null);
    if (after != null && after.length() > Address.MAX_ID_LENGTH)
      throw new Refused(StatusCodes.BAD_REQUEST, "after: not a machine id (longer than " + Address.MAX_ID_LENGTH + ")");
    return node.reads().read(inspector -> {
      List<MachineInspector.Listed> page = inspector.machines(type, after, q, limit + 1);
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      n.put("type", type);
      n.put("limit", limit);
      ArrayNode machines = n.putArray("machines");
      for (MachineInspector.Listed m : page.subList(0, Math.min(limit, page.size()))) {
        ObjectNode o = machines.addObject();
        o.put("id", m.id());
        o.put("rows", m.rows());
        o.put("lastWriteAt", m.lastWrite());
      }
      n.put("next", page.size() > limit ? page.get(limit - 1).id() : null);
      return okNow(n);
    });
  }

  private CompletionStage<HttpResponse> machine(Admin.Node node, Address a) {
    AdminJson json = new AdminJson(node.registry());
    CompletionStage<ObjectNode> placement = MachinePlacement.of(admin.system(), a, settings.timeout().dividedBy(4));
    return node.reads().read(inspector -> inspector.inspect(a)).thenCombine(placement, (i, where) -> {
      if (i.isEmpty()) return noSuchMachine(a);
      ObjectNode n = json.machine(i.get(), System.currentTimeMillis(), KEYS_SHOWN);
      n.set("placement", where);
      return okNow(n);
    });
  }

  private CompletionStage<HttpResponse> journal(Admin.Node node, Address a, HttpRequest request) {
    int limit = limit(request);
    String order = request.getUri().query().get("order").orElse("asc");
    if (!order.equals("asc") && !order.equals("desc"))
      throw new Refused(StatusCodes.BAD_REQUEST, "order: asc or desc, not '" + order + "'");
    boolean desc = order.equals("desc");
    long from = request.getUri().query().get("from").map(s -> positive("from", s)).orElse(desc ? Long.MAX_VALUE : 1L);
    AdminJson json = new AdminJson(node.registry());
    return node.reads().read(inspector -> {
      List<MachineInspector.JournalStep> steps = inspector.journal(a, from, limit, desc);
      if (steps.isEmpty() && inspector.journal(a, Long.MAX_VALUE, 1, true).isEmpty()) return noSuchMachine(a);
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      n.put("type", a.type());
      n.put("id", a.id());
      n.put("order", order);
      n.put("limit", limit);
      ArrayNode out = n.putArray("steps");
      steps.forEach(s -> out.add(json.step(a, s)));
      long rows = steps.stream().map(MachineInspector.JournalStep::row).distinct().count();
      long last = steps.isEmpty() ? 0 : steps.get(steps.size() - 1).row();
      if (rows < limit || (desc && last <= 1)) n.putNull("next");
      else n.put("next", desc ? last - 1 : last + 1);
      return okNow(n);
    });
  }

  /** Every reachable node's recent rejections, merged newest first; nodes that did not answer are named. */
  private CompletionStage<HttpResponse> rejections(Admin.Node node) {
    AdminPeers.Rejections local = AdminPeers.of(admin.system().address().toString(), admin.rejections(),
        new AdminJson(node.registry()));
    return AdminPeers.gather(admin.system(), local, settings.timeout().dividedBy(2)).thenApply(g -> {
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      n.put("node", admin.system().address().toString());
      ArrayNode nodes = n.putArray("nodes");
      ArrayNode silent = n.putArray("silent");
      g.silent().forEach(silent::add);
      List<ObjectNode> all = new ArrayList<>();
      for (AdminPeers.Rejections r : g.answers()) {
        nodes.add(r.node());
        try {
          for (JsonNode x : AdminJson.MAPPER.readTree(r.json())) {
            ObjectNode o = (ObjectNode) x;
            o.put("node", r.node());
            all.add(o);
          }
        } catch (JsonProcessingException e) {
          silent.add(r.node());
        }
      }
      all.sort((a, b) -> Long.compare(b.path("at").asLong(), a.path("at").asLong()));
      ArrayNode list = n.putArray("rejections");
      all.forEach(list::add);
      return okNow(n);
    });
  }

  private CompletionStage<HttpResponse> divergences(Admin.Node node) {
    if (node.monitor() == null) {
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      n.put("monitor", "off");
      n.put("hint", "rsm.replica-monitor.enabled = on runs the replica monitor on one node of the cluster");
      return ok(n);
    }
    return AskPattern.<ReplicaMonitorSingleton.Command, ReplicaMonitorSingleton.Status>ask(node.monitor(),
            ReplicaMonitorSingleton.GetStatus::new, settings.timeout().dividedBy(2), admin.system().scheduler())
        .handle((s, failure) -> {
          ObjectNode n = AdminJson.MAPPER.createObjectNode();
          if (failure != null) {
            n.put("monitor", "unreachable");
            n.put("error", "the replica monitor did not answer within " + settings.timeout().dividedBy(2).toMillis()
                + " ms (starting, or moving to another node)");
          } else {
            n.put("monitor", "on");
            n.set("status", AdminJson.monitor(s.node(), s.status()));
          }
          return okNow(n);
        });
  }

  // ------------------------------------------------------------------ parameters

  private static void knownType(MachineRegistry registry, String type) {
    if (registry.find(type).isEmpty())
      throw new Refused(StatusCodes.NOT_FOUND, "unknown machine type '" + type + "'; known types: "
          + registry.types().stream().map(MachineType::name).toList());
  }

  private static Address address(Admin.Node node, String type, String id) {
    knownType(node.registry(), type);
    try {
      return new Address(type, id);
    } catch (Address.InvalidIdException e) {
      throw new Refused(StatusCodes.BAD_REQUEST, e.getMessage());
    }
  }

  private int limit(HttpRequest request) {
    Optional<String> s = request.getUri().query().get("limit");
    if (s.isEmpty()) return settings.defaultPage();
    long l = positive("limit", s.get());
    if (l > settings.maxPage())
      throw new Refused(StatusCodes.BAD_REQUEST, "limit: at most " + settings.maxPage() + " (rsm.admin.max-page), not " + l);
    return (int) l;
  }

  private static long positive(String name, String s) {
    try {
      long v = Long.parseLong(s);
      if (v >= 1) return v;
    } catch (NumberFormatException e) {
      // said below
    }
    throw new Refused(StatusCodes.BAD_REQUEST, name + ": a whole number of at least 1, not '" + s + "'");
  }

  // ------------------------------------------------------------------ responses

  private static HttpResponse noSuchMachine(Address a) {
    return json(StatusCodes.NOT_FOUND, AdminJson.error("machine " + a + " has no journal rows: it has never taken a step"));
  }

  private static HttpResponse failure(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof Refused r) return json(r.status, AdminJson.error(r.getMessage()));
    if (c instanceof TimeoutException) return unavailable("the admin read did not finish within rsm.admin.timeout");
    if (c instanceof AdminReads.JournalUnavailable) return unavailable(c.getMessage());
    return json(StatusCodes.INTERNAL_SERVER_ERROR, AdminJson.error("the admin read failed: " + c));
  }

  private static HttpResponse unavailable(String message) {
    return json(StatusCodes.SERVICE_UNAVAILABLE, AdminJson.error(message)).addHeader(RawHeader.create("Retry-After", "1"));
  }

  private static CompletionStage<HttpResponse> ok(JsonNode body) {
    return done(okNow(body));
  }

  private static HttpResponse okNow(JsonNode body) {
    return json(StatusCodes.OK, body);
  }

  private static HttpResponse json(StatusCode status, JsonNode body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, AdminJson.MAPPER.writeValueAsBytes(body))
          .addHeader(RawHeader.create("Cache-Control", "no-store"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CompletionStage<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
