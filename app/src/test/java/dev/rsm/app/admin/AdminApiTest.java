package dev.rsm.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.RsmNode;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.machines.Order;
import dev.rsm.app.machines.Warehouse;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.StepTaken;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API's contract, on one node with management on a free port and H2. */
class AdminApiTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE, Order.TYPE, Warehouse.TYPE, Brittle.TYPE);
  static final ObjectMapper JSON = new ObjectMapper();
  static final Config STORE = TestStores.fresh(TestStores.H2);
  static TestCluster cluster;
  static RsmNode node;
  static int port;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(STORE, TYPES, ConfigFactory.parseString("""
        rsm.node.management = on
        pekko.management.http.hostname = "127.0.0.1"
        pekko.management.http.port = 0
        rsm.replica-monitor.enabled = on
        rsm.replica-monitor.poll-interval = 200ms
        """));
    node = cluster.start();
    cluster.awaitUp(1);
    port = node.managementPort();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
  }

  static JsonNode get(String path) {
    HttpResponse<String> r = Http.get(port, path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
    return parse(r.body());
  }

  static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static void assertError(int status, String path, String fragment) {
    HttpResponse<String> r = Http.get(port, path);
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    String error = parse(r.body()).path("error").asText();
    assertTrue(error.contains(fragment), path + ": error '" + error + "' should mention '" + fragment + "'");
  }

  static Object ask(Address to, String key, Object input) {
    IngressResult r = node.machines().ask(to, key, input).toCompletableFuture().join();
    assertTrue(r instanceof IngressResult.Replied, to + ": " + r);
    return ((IngressResult.Replied) r).reply();
  }

  @Test
  void listsTheEndpointsAndTheMachineTypesWithTheirInputsAndCounts() {
    assertTrue(get("/admin").path("endpoints").toString().contains("/admin/machines/{type}/{id}/journal"));
    ask(Account.TYPE.address("types-1"), null, new Account.Deposit(1));
    JsonNode types = get("/admin/types").path("types");
    assertEquals(List.of("account", "order", "warehouse", "brittle"), names(types, "name"));
    JsonNode account = types.get(0);
    assertEquals("[\"deposit\",\"withdraw\",\"transfer\"]", account.path("inputs").toString());
    assertEquals("State", account.path("stateType").asText());
    assertTrue(account.path("machines").asLong() >= 1, account.toString());
  }

  @Test
  void showsAMachineStateChannelsTimersAndKeysRebuiltFromItsJournal() {
    Address order = Order.TYPE.address("view-1");
    assertEquals("placed", ask(order, "order-key-1", new Order.Place("lamp", 2, "view-w")));
    // Delivered once the warehouse's journal holds the reservation: the outbox is then empty.
    JsonNode m = Await.until("the warehouse handled the reservation", Duration.ofSeconds(10),
        () -> get("/admin/machines/order/view-1"), v -> v.path("outbox").path(0).path("delivered").asLong() == 1);
    assertEquals("{\"status\":\"placed\",\"item\":\"lamp\",\"quantity\":2}", m.path("state").toString());
    assertEquals(1, m.path("steps").asLong());
    assertEquals(1, m.path("rows").asLong());
    assertTrue(m.path("replayError").isNull(), m.toString());
    JsonNode out = m.path("outbox").get(0);
    assertEquals("{\"type\":\"warehouse\",\"id\":\"view-w\"}", out.path("to").toString());
    assertEquals(1, out.path("lastSeq").asLong());
    assertEquals(0, out.path("unacked").size());
    assertEquals(0, m.path("unackedOutputs").asInt());
    JsonNode timer = m.path("timers").get(0);
    assertEquals("expire", timer.path("name").asText());
    assertEquals(m.path("lastStepAt").asLong() + 3_600_000, timer.path("deadline").asLong());
    assertEquals("{\"type\":\"expire\",\"value\":{}}", timer.path("input").toString());
    assertEquals("order-key-1", m.path("idempotencyKeys").get(0).path("key").asText());
    assertEquals("\"placed\"", m.path("idempotencyKeys").get(0).path("reply").toString());

    JsonNode w = get("/admin/machines/warehouse/view-w");
    assertEquals("{\"reservations\":1,\"units\":2}", w.path("state").toString());
    JsonNode placement = m.path("placement");
    assertTrue(placement.path("running").asBoolean(), "the order handled an input just now: " + placement);
    assertEquals(node.system().address().toString(), placement.path("node").asText());
    assertTrue(placement.path("shard").asText().matches("\\d+"), placement.toString());
    assertEquals("{\"from\":{\"type\":\"order\",\"id\":\"view-1\"},\"handled\":1}", w.path("inbox").get(0).toString());
  }

  @Test
  void decodesAMachinesJournalStepByStepAndPagesItByRow() {
    Address order = Order.TYPE.address("journal-1");
    ask(order, "k-journal", new Order.Place("desk", 1, "journal-w"));
    JsonNode step = get("/admin/machines/order/journal-1/journal").path("steps").get(0);
    assertEquals(1, step.path("row").asLong());
    assertEquals("{\"kind\":\"external\",\"key\":\"k-journal\"}", step.path("origin").toString());
    assertEquals("{\"type\":\"place\",\"value\":{\"item\":\"desk\",\"quantity\":1,\"warehouse\":\"journal-w\"}}",
        step.path("input").toString());
    assertEquals("[{\"to\":{\"type\":\"warehouse\",\"id\":\"journal-w\"},\"seq\":1,"
        + "\"input\":{\"type\":\"reserve\",\"value\":{\"order\":\"journal-1\",\"item\":\"desk\",\"quantity\":1}}}]",
        step.path("sends").toString());
    assertEquals("expire", step.path("timers").get(0).path("name").asText());
    assertFalse(step.path("timers").get(0).path("cancel").asBoolean());
    assertEquals("\"placed\"", step.path("reply").toString());
    assertTrue(step.path("time").asLong() > 0 && step.path("rejected").isNull(), step.toString());
    // The warehouse handles the order's message after the order's reply: its journal may still be
    // empty when first read.
    HttpResponse<String> received = Await.until("the warehouse's step", Duration.ofSeconds(10),
        () -> Http.get(port, "/admin/machines/warehouse/journal-w/journal"),
        r -> r.statusCode() == 200 && parse(r.body()).path("steps").size() > 0);
    JsonNode origin = parse(received.body()).path("steps").get(0).path("origin");
    assertEquals("{\"kind\":\"channel\",\"from\":{\"type\":\"order\",\"id\":\"journal-1\"},\"seq\":1}", origin.toString());

    Address account = Account.TYPE.address("paged");
    for (int i = 1; i <= 5; i++) ask(account, null, new Account.Deposit(i));
    assertEquals(List.of(1L, 2L), rows(get("/admin/machines/account/paged/journal?limit=2")), "first page");
    assertEquals(3, get("/admin/machines/account/paged/journal?limit=2").path("next").asLong());
    assertEquals(List.of(3L, 4L), rows(get("/admin/machines/account/paged/journal?limit=2&from=3")));
    JsonNode last = get("/admin/machines/account/paged/journal?limit=2&from=5");
    assertEquals(List.of(5L), rows(last));
    assertTrue(last.path("next").isNull());
    JsonNode newest = get("/admin/machines/account/paged/journal?limit=2&order=desc");
    assertEquals(List.of(5L, 4L), rows(newest));
    assertEquals(3, newest.path("next").asLong());
    assertEquals(List.of(1L), rows(get("/admin/machines/account/paged/journal?limit=2&order=desc&from=1")));
    assertEquals("{\"accepted\":true,\"balance\":1}",
        get("/admin/machines/account/paged/journal?limit=1").path("steps").get(0).path("reply").toString());
  }

  @Test
  void rebuildsFromTheLatestSnapshotAndCountsStepsSharingARow() {
    Address account = Account.TYPE.address("busy");
    for (int i = 0; i < 110; i++) ask(account, null, new Account.Deposit(1)); // past snapshot-every = 100 rows
    // Sent at once, they queue behind each other's write and share rows (group commit).
    List<java.util.concurrent.CompletableFuture<IngressResult>> burst = new ArrayList<>();
    for (int i = 0; i < 60; i++)
      burst.add(node.machines().ask(account, null, new Account.Deposit(1)).toCompletableFuture());
    burst.forEach(java.util.concurrent.CompletableFuture::join);
    JsonNode m = Await.until("the snapshot after row 100 is written", Duration.ofSeconds(10),
        () -> get("/admin/machines/account/busy"), v -> v.path("snapshotRow").asLong() == 100);
    assertEquals("{\"balance\":170}", m.path("state").toString());
    assertEquals(170, m.path("steps").asLong());
    assertTrue(m.path("rows").asLong() < 170, "some steps share a row: " + m.path("rows"));
    JsonNode page = get("/admin/machines/account/busy/journal?from=111&limit=1000");
    assertEquals(60, page.path("steps").size(), "every step of the burst, each once");
    assertTrue(page.toString().contains("\"index\":1"), "a row holding several steps lists each with its index");
  }

  @Test
  void aStepThatNoLongerReplaysIsReportedWithTheStateBeforeIt() throws Exception {
    // Journaled with a reply the deployed handler does not produce (as after a changed handler).
    writeDeposit("replays-badly", 1, 5, 5);
    writeDeposit("replays-badly", 2, 5, 999);
    JsonNode m = get("/admin/machines/account/replays-badly");
    assertTrue(m.path("replayError").asText().contains("at sequence number 2: journaled reply"), m.toString());
    assertEquals("{\"balance\":5}", m.path("state").toString(), "the state before the diverging step");
    assertEquals(1, m.path("steps").asLong());
  }

  @Test
  void writesTheReplicaMonitorsDivergencesNewestFirst() {
    var status = new dev.rsm.persistence.ReplicaMonitorStatus(9, 9, 2, 0, 0, 3, 0, 1, 0, List.of(
        new dev.rsm.persistence.ReplicaMonitorStatus.Divergence(Account.TYPE.address("x"), 4, 3, "first"),
        new dev.rsm.persistence.ReplicaMonitorStatus.Divergence(Account.TYPE.address("y"), 2, 7, "second")));
    JsonNode n = AdminJson.monitor("pekko://rsm@h:1", status);
    assertEquals(2, n.path("divergences").asLong());
    assertEquals("{\"machine\":{\"type\":\"account\",\"id\":\"y\"},\"step\":2,\"row\":7,\"difference\":\"second\"}",
        n.path("recent").get(0).toString());
  }

  @Test
  void answersUnknownTypesMachinesAndPathsWith404AndBadParametersWith400() {
    assertError(404, "/admin/types/nosuch/machines", "unknown machine type 'nosuch'");
    assertError(404, "/admin/machines/nosuch/x", "unknown machine type 'nosuch'");
    assertError(404, "/admin/machines/account/never-seen", "has no journal rows");
    assertError(404, "/admin/machines/account/never-seen/journal", "has no journal rows");
    assertError(404, "/admin/nothing-here", "no admin endpoint");
    assertError(404, "/administrator", "no admin endpoint");
    assertError(400, "/admin/types/account/machines?limit=0", "limit");
    assertError(400, "/admin/types/account/machines?limit=ten", "limit");
    assertError(400, "/admin/types/account/machines?limit=1001", "at most 1000");
    assertError(400, "/admin/machines/account/x/journal?order=sideways", "order");
    assertError(400, "/admin/machines/account/x/journal?from=-1", "from");
    assertError(400, "/admin/types/account/machines?after=" + "x".repeat(300), "after");
    HttpResponse<String> post = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/types"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertEquals(405, post.statusCode(), "read-only: " + post.body());
  }

  @Test
  void recordsRejectedInputsExternalAndJournaled() {
    HttpResponse<String> failed = Http.post(node.httpPort(), "/machines/brittle/b1", null,
        "{\"type\":\"fail\",\"why\":\"bad luck\"}");
    assertEquals(500, failed.statusCode());
    JsonNode external = first(get("/admin/rejections").path("rejections"), "brittle", "b1");
    assertEquals("external", external.path("origin").asText());
    assertEquals("IllegalStateException: bad luck", external.path("reason").asText());
    assertFalse(external.path("journaled").asBoolean());
    assertEquals("{\"type\":\"fail\",\"value\":{\"why\":\"bad luck\"}}", external.path("input").toString());

    ask(Order.TYPE.address("poisoned"), null, new Order.Place("poison", 1, "poison-w"));
    JsonNode journaled = Await.until("the check timer's input is rejected after its attempts", Duration.ofSeconds(20),
        () -> first(get("/admin/rejections").path("rejections"), "order", "poisoned"), n -> n != null);
    assertTrue(journaled.path("origin").asText().startsWith("timer:check:"), journaled.toString());
    assertEquals(2, journaled.path("seqNr").asLong());
    assertTrue(journaled.path("journaled").asBoolean());
    JsonNode step = get("/admin/machines/order/poisoned/journal?from=2").path("steps").get(0);
    assertEquals("IllegalStateException: cannot check an order of poison", step.path("rejected").asText());
  }

  @Test
  void showsTheReplicaMonitorsStatusAndTheDivergencesItFinds() throws Exception {
    Await.until("the replica monitor singleton answers", Duration.ofSeconds(20),
        () -> get("/admin/divergences"), n -> n.path("monitor").asText().equals("on"));
    writeDeposit("monitored-badly", 1, 5, 5);
    writeDeposit("monitored-badly", 2, 5, 999); // a reply the deployed handler does not produce
    JsonNode s = Await.until("the monitor reports the diverging step", Duration.ofSeconds(20),
        () -> get("/admin/divergences").path("status"), n -> n.path("recent").toString().contains("monitored-badly"));
    assertEquals(node.system().address().toString(), s.path("runsOn").asText());
    assertTrue(s.path("divergences").asLong() >= 1 && s.path("stepsChecked").asLong() >= 1, s.toString());
    assertTrue(s.has("rowsBehind") && s.has("millisBehind") && s.has("machinesHeld"), s.toString());
    JsonNode d = null;
    for (JsonNode x : s.path("recent")) if (x.path("machine").path("id").asText().equals("monitored-badly")) d = x;
    assertEquals(2, d.path("step").asLong());
    assertTrue(d.path("difference").asText().contains("replay produced reply"), d.toString());
  }

  @Test
  void showsMembersAndTheMachinesRunningInTheirShards() {
    ask(Account.TYPE.address("running-1"), null, new Account.Deposit(3));
    JsonNode c = get("/admin/cluster");
    assertEquals(1, c.path("members").size());
    JsonNode me = c.path("members").get(0);
    assertEquals("Up", me.path("status").asText());
    assertTrue(me.path("self").asBoolean() && me.path("reachable").asBoolean(), me.toString());
    assertEquals(node.system().address().toString(), c.path("self").asText());
    assertTrue(me.path("types").path("account").path("shards").toString().contains("\"running-1\""), me.toString());
    assertTrue(me.path("machines").asInt() >= 1 && me.path("shards").asInt() >= 1, me.toString());
  }

  @Test
  void listsTenThousandMachinesPageByPageWithoutStartingAny() throws Exception {
    int count = 10_000;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) ids.add(String.format("bulk-%05d", i));
    writeDeposits(ids);
    int running = Placement.hostedIds(node, "account").size();

    List<String> listed = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonNode page = get("/admin/types/account/machines?limit=1000&q=bulk-" + (after == null ? "" : "&after=" + after));
      page.path("machines").forEach(m -> listed.add(m.path("id").asText()));
      after = page.path("next").isNull() ? null : page.path("next").asText();
      pages++;
    } while (after != null);
    assertEquals(ids, listed, "every machine once, in id order");
    assertEquals(10, pages);
    JsonNode one = get("/admin/machines/account/bulk-04242");
    assertEquals("{\"balance\":4242}", one.path("state").toString(), "rebuilt from the rows written");
    assertFalse(one.path("placement").path("running").asBoolean(true), "not running: " + one.path("placement"));
    assertTrue(get("/admin/types").path("types").get(0).path("machines").asLong() >= count);
    assertEquals(running, Placement.hostedIds(node, "account").size(), "no machine started by the admin API");
    assertFalse(Placement.hostedIds(node, "account").contains("bulk-04242"));

    // The rows are what the runtime writes: the machine itself recovers the same state from them.
    assertEquals(4242, ((Account.State) node.machines().state(Account.TYPE.address("bulk-04242"))
        .toCompletableFuture().join().state()).balance());
  }

  @Test
  void theRejectionRecorderForwardsEveryObserverMethod() throws Exception {
    StepObserver next = (machine, input, seqNr) -> {};
    Class<?> recorder = new RecentRejections(1).andThen(next).getClass();
    for (Method m : StepObserver.class.getMethods())
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) && !m.getName().equals("andThen"))
        assertNotNull(recorder.getDeclaredMethod(m.getName(), m.getParameterTypes()),
            "RecentRejections.andThen must forward " + m.getName());
  }

  /** One step per machine, a keyless deposit of the machine's number, as the runtime journals it. */
  private static void writeDeposits(List<String> ids) throws Exception {
    Serialization serialization = SerializationExtension.get(node.system().classicSystem());
    long now = System.currentTimeMillis();
    Config jdbc = node.system().settings().config().getConfig("rsm.storage.jdbc");
    try (Connection c = DriverManager.getConnection(jdbc.getString("url"), jdbc.getString("user"), jdbc.getString("password"));
        PreparedStatement st = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", "
            + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", "
            + "\"event_ser_manifest\", \"event_payload\") VALUES (?, 1, 'admin-test', ?, '', ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (String id : ids) {
        long amount = Long.parseLong(id.substring(5));
        StepTaken e = new StepTaken(new Origin.External(null), new Account.Deposit(amount), now, 0, List.of(),
            new Account.Result(true, amount), List.of(), null);
        Serializer s = serialization.findSerializerFor(e);
        st.setString(1, Account.TYPE.address(id).persistenceId());
        st.setLong(2, now);
        st.setInt(3, s.identifier());
        st.setString(4, Serializers.manifestFor(s, e));
        st.setBytes(5, s.toBinary(e));
        st.addBatch();
      }
      st.executeBatch();
      c.commit();
    }
  }

  /** Row {@code row} of an account: a keyless deposit of {@code amount} journaled with {@code balance} as its reply. */
  private static void writeDeposit(String id, long row, long amount, long balance) throws Exception {
    Serialization serialization = SerializationExtension.get(node.system().classicSystem());
    Config jdbc = node.system().settings().config().getConfig("rsm.storage.jdbc");
    StepTaken e = new StepTaken(new Origin.External(null), new Account.Deposit(amount), System.currentTimeMillis(), 0,
        List.of(), new Account.Result(true, balance), List.of(), null);
    Serializer s = serialization.findSerializerFor(e);
    try (Connection c = DriverManager.getConnection(jdbc.getString("url"), jdbc.getString("user"), jdbc.getString("password"));
        PreparedStatement st = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", "
            + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", "
            + "\"event_ser_manifest\", \"event_payload\") VALUES (?, ?, 'admin-test', ?, '', ?, ?, ?)")) {
      st.setString(1, Account.TYPE.address(id).persistenceId());
      st.setLong(2, row);
      st.setLong(3, System.currentTimeMillis());
      st.setInt(4, s.identifier());
      st.setString(5, Serializers.manifestFor(s, e));
      st.setBytes(6, s.toBinary(e));
      st.executeUpdate();
    }
  }

  private static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  private static List<Long> rows(JsonNode page) {
    List<Long> out = new ArrayList<>();
    page.path("steps").forEach(n -> out.add(n.path("row").asLong()));
    return out;
  }

  private static JsonNode first(JsonNode rejections, String type, String id) {
    for (JsonNode r : rejections)
      if (r.path("machine").path("type").asText().equals(type) && r.path("machine").path("id").asText().equals(id))
        return r;
    return null;
  }
}
