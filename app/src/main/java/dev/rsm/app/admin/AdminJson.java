package dev.rsm.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplicaMonitorStatus;
import dev.rsm.persistence.internal.Envelopes;
import dev.rsm.persistence.internal.MachineInspector;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.StepTaken;
import java.util.List;

/**
 * The admin API's JSON shapes (docs/admin-api.md), built from what {@link MachineInspector} reads.
 * Times are epoch milliseconds; user values (states, inputs, replies) are written as the ingress
 * writes them, and an input also names its type: {@code {"type": "deposit", "value": {...}}}.
 */
final class AdminJson {
  static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();

  private final MachineRegistry registry;

  AdminJson(MachineRegistry registry) {
    this.registry = registry;
  }

  static ObjectNode error(String message) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", message);
    return n;
  }

  static ObjectNode address(Address a) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("type", a.type());
    n.put("id", a.id());
    return n;
  }

  /** A user value as JSON (null as JSON null); one Jackson cannot write is shown as its {@code toString()}. */
  static JsonNode value(Object v) {
    if (v == null) return MAPPER.nullNode();
    try {
      return MAPPER.valueToTree(v);
    } catch (IllegalArgumentException e) {
      return MAPPER.getNodeFactory().textNode(String.valueOf(v));
    }
  }

  /**
   * An input of a machine of {@code type}: its external name and value. A call's request also says
   * {@code "call": true}; a call's answer is {@code {"type": "reply", "from", "call", "status",
   * "request", "value", "error"}} and an effect's outcome {@code {"type": "effect-outcome",
   * "effect", "key", "ok", "value", "error", "attempts"}}.
   */
  JsonNode input(String type, Object input) {
    if (input == null) return MAPPER.nullNode();
    if (input instanceof Envelopes.CallRequest r) {
      ObjectNode n = (ObjectNode) input(type, r.input());
      n.put("call", true);
      return n;
    }
    ObjectNode n = MAPPER.createObjectNode();
    if (input instanceof Envelopes.CallReply r) {
      n.put("type", "reply");
      n.set("from", address(r.callee()));
      n.put("call", r.call());
      n.put("status", r.status().name());
      n.set("request", input(r.callee().type(), r.request()));
      n.set("value", value(r.value()));
      n.put("error", r.error());
      return n;
    }
    if (input instanceof Envelopes.EffectOutcome o) {
      n.put("type", "effect-outcome");
      n.put("effect", o.name());
      n.put("key", o.key());
      n.put("ok", o.ok());
      n.set("value", value(o.value()));
      n.put("error", o.error());
      n.put("attempts", o.attempts());
      return n;
    }
    MachineType<?, ?> t = registry.find(type).orElse(null);
    n.put("type", t != null ? t.inputName(input.getClass()) : input.getClass().getSimpleName());
    n.set("value", value(input));
    return n;
  }

  ObjectNode machine(MachineInspector.Inspection i, long now, int keysShown) {
    ObjectNode n = MAPPER.createObjectNode();
    Address self = i.machine();
    n.put("type", self.type());
    n.put("id", self.id());
    n.set("state", value(i.state()));
    n.put("steps", i.steps());
    n.put("rows", i.rows());
    n.put("lastStepAt", i.lastStepAt());
    n.put("snapshotRow", i.snapshotRow());
    n.put("replayError", i.replayError());
    ArrayNode inbox = n.putArray("inbox");
    for (MachineInspector.Incoming in : i.inbox()) {
      ObjectNode c = inbox.addObject();
      c.set("from", address(in.from()));
      c.put("handled", in.handled());
    }
    ArrayNode outbox = n.putArray("outbox");
    int unacked = 0;
    for (MachineInspector.Outgoing out : i.outbox()) {
      ObjectNode c = outbox.addObject();
      c.set("to", address(out.to()));
      c.put("lastSeq", out.lastSeq());
      c.put("delivered", out.delivered());
      ArrayNode pending = c.putArray("unacked");
      for (MachineInspector.Pending p : out.unacked()) {
        ObjectNode o = pending.addObject();
        o.put("seq", p.seq());
        o.put("sentAt", p.sentAt());
        if (p.sentAt() > 0) o.put("ageMillis", Math.max(0, now - p.sentAt()));
        else o.putNull("ageMillis");
        o.set("input", input(out.to().type(), p.input()));
        unacked++;
      }
    }
    n.put("unackedOutputs", unacked);
    ArrayNode timers = n.putArray("timers");
    for (MachineInspector.Timer t : i.timers()) {
      ObjectNode o = timers.addObject();
      o.put("name", t.name());
      o.put("generation", t.generation());
      o.put("deadline", t.deadline());
      o.put("dueInMillis", t.deadline() - now);
      o.set("input", input(self.type(), t.input()));
    }
    ArrayNode effects = n.putArray("pendingEffects");
    for (MachineInspector.Effect e : i.effects()) {
      ObjectNode o = effects.addObject();
      o.put("id", e.id());
      o.put("name", e.name());
      o.put("key", e.key());
      o.set("request", value(e.request()));
    }
    ArrayNode keys = n.putArray("idempotencyKeys");
    List<MachineInspector.Key> all = i.keys();
    for (int k = all.size() - 1; k >= 0 && keys.size() < keysShown; k--) { // newest first
      ObjectNode o = keys.addObject();
      o.put("key", all.get(k).key());
      o.put("at", all.get(k).time());
      o.set("reply", value(all.get(k).reply()));
    }
    n.put("idempotencyKeysTotal", all.size());
    n.put("readAt", now);
    return n;
  }

  ObjectNode step(Address self, MachineInspector.JournalStep js) {
    StepTaken e = js.step();
    ObjectNode n = MAPPER.createObjectNode();
    n.put("row", js.row());
    n.put("index", js.index());
    n.put("writtenAt", js.writtenAt());
    n.put("time", e.time());
    ObjectNode origin = n.putObject("origin");
    if (e.origin() instanceof Origin.Channel c) {
      origin.put("kind", "channel");
      origin.set("from", address(c.from()));
      origin.put("seq", c.seq());
    } else if (e.origin() instanceof Origin.Timer t) {
      origin.put("kind", "timer");
      origin.put("name", t.name());
      origin.put("generation", t.generation());
    } else if (e.origin() instanceof Origin.Effect f) {
      origin.put("kind", "effect");
      origin.put("id", f.id());
    } else {
      origin.put("kind", "external");
      origin.put("key", ((Origin.External) e.origin()).key());
    }
    n.set("input", input(self.type(), e.input()));
    ArrayNode sends = n.putArray("sends");
    for (StepTaken.Sent s : e.sends()) {
      ObjectNode o = sends.addObject();
      o.set("to", address(s.to()));
      o.put("seq", s.seq());
      o.set("input", input(s.to().type(), s.input()));
    }
    ArrayNode timers = n.putArray("timers");
    for (StepTaken.TimerSet t : e.timers()) {
      ObjectNode o = timers.addObject();
      o.put("name", t.name());
      o.put("generation", t.generation());
      o.put("cancel", t.isCancel());
      if (!t.isCancel()) o.put("deadline", t.deadline());
      o.set("input", input(self.type(), t.input()));
    }
    ArrayNode effects = n.putArray("effects");
    for (StepTaken.EffectAsked f : e.effects()) {
      ObjectNode o = effects.addObject();
      o.put("name", f.name());
      o.set("request", value(f.request()));
    }
    n.set("reply", value(e.reply()));
    n.put("rejected", e.rejected());
    return n;
  }

  ObjectNode rejection(RecentRejections.Rejection r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("at", r.at());
    n.set("machine", address(r.machine()));
    n.put("origin", r.origin());
    n.set("input", input(r.machine().type(), r.input()));
    n.put("reason", r.reason());
    n.put("seqNr", r.seqNr());
    n.put("journaled", r.seqNr() > 0);
    return n;
  }

  static ObjectNode monitor(String node, ReplicaMonitorStatus s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("runsOn", node);
    n.put("rowsRead", s.rowsRead());
    n.put("stepsChecked", s.stepsChecked());
    n.put("divergences", s.divergences());
    n.put("rowsBehind", s.rowsBehind());
    n.put("millisBehind", s.millisBehind());
    n.put("machinesHeld", s.machinesHeld());
    n.put("rebuilds", s.rebuilds());
    n.put("snapshotsChecked", s.snapshotsChecked());
    n.put("unchecked", s.unchecked());
    ArrayNode recent = n.putArray("recent");
    for (int k = s.recent().size() - 1; k >= 0; k--) { // newest first
      ReplicaMonitorStatus.Divergence d = s.recent().get(k);
      ObjectNode o = recent.addObject();
      o.set("machine", address(d.machine()));
      o.put("step", d.seqNr());
      o.put("row", d.row());
      o.put("difference", d.difference());
    }
    return n;
  }
}
