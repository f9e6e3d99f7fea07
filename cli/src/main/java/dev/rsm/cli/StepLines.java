package dev.rsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One readable line per journaled step or armed timer, from the admin API's JSON
 * (docs/admin-api.md): what came in, from where, and what the step did.
 */
final class StepLines {
  private StepLines() {}

  /**
   * {@code row 2  2026-12-02T10:00:00Z  external key=dep-1  deposit {"amount":100}  -> reply {...}},
   * then the sends, timers, effects and rejection the step has.
   */
  static String step(JsonNode s) {
    StringBuilder b = new StringBuilder();
    b.append("row ").append(s.path("row").asLong());
    if (s.path("index").asInt() > 0) b.append('.').append(s.path("index").asInt());
    b.append("  ").append(Instant.ofEpochMilli(s.path("time").asLong()));
    b.append("  ").append(origin(s.path("origin")));
    b.append("  ").append(input(s.path("input")));
    if (!s.path("rejected").isNull() && !s.path("rejected").isMissingNode())
      b.append("  -> REJECTED: ").append(s.path("rejected").asText());
    else if (!s.path("reply").isNull() && !s.path("reply").isMissingNode())
      b.append("  -> reply ").append(s.path("reply"));
    List<String> sends = new ArrayList<>();
    for (JsonNode o : s.path("sends"))
      sends.add(address(o.path("to")) + "#" + o.path("seq").asLong() + " " + input(o.path("input")));
    if (!sends.isEmpty()) b.append("  sends: ").append(String.join(", ", sends));
    List<String> timers = new ArrayList<>();
    for (JsonNode t : s.path("timers"))
      timers.add(t.path("cancel").asBoolean()
          ? t.path("name").asText() + " cancelled (generation " + t.path("generation").asLong() + ")"
          : t.path("name").asText() + " armed (generation " + t.path("generation").asLong() + ", due "
              + Instant.ofEpochMilli(t.path("deadline").asLong()) + ")");
    if (!timers.isEmpty()) b.append("  timers: ").append(String.join(", ", timers));
    List<String> effects = new ArrayList<>();
    for (JsonNode f : s.path("effects")) effects.add(f.path("name").asText() + " " + f.path("request"));
    if (!effects.isEmpty()) b.append("  effects: ").append(String.join(", ", effects));
    return b.toString();
  }

  /** {@code hold-A1  generation 1  due 2026-12-02T10:15:00Z (in 14m59s)  expire {"seat":"A1"}}. */
  static String timer(JsonNode t) {
    long in = t.path("dueInMillis").asLong();
    return t.path("name").asText() + "  generation " + t.path("generation").asLong() + "  due "
        + Instant.ofEpochMilli(t.path("deadline").asLong()) + " (" + (in >= 0 ? "in " + human(in) : "overdue by "
        + human(-in)) + ")  " + input(t.path("input"));
  }

  static String origin(JsonNode o) {
    switch (o.path("kind").asText()) {
      case "channel":
        return "from " + address(o.path("from")) + "#" + o.path("seq").asLong();
      case "timer":
        return "timer " + o.path("name").asText() + " (generation " + o.path("generation").asLong() + ")";
      case "effect":
        return "effect " + o.path("id").asText();
      default:
        return o.path("key").isTextual() ? "external key=" + o.path("key").asText() : "external (no key)";
    }
  }

  /** {@code {"type":"deposit","value":{"amount":100}}} as {@code deposit {"amount":100}}. */
  static String input(JsonNode i) {
    if (!i.has("type")) return i.toString();
    return i.path("type").asText() + " " + (i.has("value") ? i.get("value").toString() : "{}");
  }

  private static String address(JsonNode a) {
    return a.path("type").asText() + "/" + a.path("id").asText();
  }

  private static String human(long millis) {
    long s = millis / 1000;
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + (s % 60) + "s";
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
