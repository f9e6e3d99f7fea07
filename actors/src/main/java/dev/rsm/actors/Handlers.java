package dev.rsm.actors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dispatch table of a machine: one {@link Handler} per input record. Built with {@link
 * Machine#newHandlers()}; {@link Builder#build()} fails if an input record of the machine's sealed
 * input type has no handler, so a forgotten case is caught at start-up, not in production.
 */
public final class Handlers<I, S> {
  // A machine has a few input records: comparing the input's class with each by identity is
  // cheaper than hashing it, on every message. Past SCAN_LIMIT records, a map.
  private static final int SCAN_LIMIT = 8;
  private final Class<?>[] types;
  private final Handler<S, Object>[] handlers;
  private final Map<Class<?>, Handler<S, Object>> byClass;
  // Answers to this machine's calls, by the request's class, and outcomes of its effects, by name.
  private final Map<Class<?>, Handler<S, Object>> replies;
  private final Map<String, Handler<S, Object>> effects;

  @SuppressWarnings("unchecked")
  private Handlers(Map<Class<?>, Handler<S, Object>> byClass, Map<Class<?>, Handler<S, Object>> replies,
      Map<String, Handler<S, Object>> effects) {
    this.byClass = byClass;
    this.replies = replies;
    this.effects = effects;
    this.types = byClass.keySet().toArray(new Class<?>[0]);
    this.handlers = new Handler[types.length];
    for (int i = 0; i < types.length; i++) handlers[i] = byClass.get(types[i]);
  }

  private Handler<S, Object> handlerFor(Class<?> type) {
    if (types.length > SCAN_LIMIT) return byClass.get(type);
    for (int i = 0; i < types.length; i++) if (types[i] == type) return handlers[i];
    return null;
  }

  Step<S> dispatch(S state, Object input, Context ctx) {
    Handler<S, Object> h;
    if (input instanceof Reply<?> r) {
      h = replies.get(r.request().getClass());
      if (h == null)
        throw new IllegalArgumentException("no reply handler for calls of " + r.request().getClass().getName());
    } else if (input instanceof EffectResult<?> e) {
      h = effects.get(e.effect());
      if (h == null) throw new IllegalArgumentException("no handler for the outcome of effect " + e.effect());
    } else {
      h = handlerFor(input.getClass());
    }
    if (h == null)
      throw new IllegalArgumentException("no handler for input " + input.getClass().getName());
    Step<S> step = h.apply(state, input, ctx);
    if (step == null)
      throw new IllegalStateException(
          "handler for " + input.getClass().getSimpleName() + " returned null; return Step.stay()");
    return step;
  }

  /** Whether answers to calls whose request is a {@code request} have a handler. */
  boolean handlesRepliesTo(Class<?> request) {
    return replies.containsKey(request);
  }

  /** Whether outcomes of the effect {@code name} have a handler. */
  boolean handlesEffect(String name) {
    return effects.containsKey(name);
  }

  /** Collects handlers; see {@link Machine#newHandlers()}. */
  public static final class Builder<I, S> {
    private final Class<I> inputType;
    private final Map<Class<?>, Handler<S, Object>> byClass = new HashMap<>();
    private final Map<Class<?>, Handler<S, Object>> replies = new HashMap<>();
    private final Map<String, Handler<S, Object>> effects = new HashMap<>();

    Builder(Class<I> inputType) {
      this.inputType = inputType;
    }

    /** Handles inputs of record type {@code type} with {@code handler}. */
    @SuppressWarnings("unchecked")
    public <T extends I> Builder<I, S> on(Class<T> type, Handler<S, ? super T> handler) {
      Objects.requireNonNull(handler, "handler");
      if (byClass.put(type, (Handler<S, Object>) handler) != null)
        throw new IllegalArgumentException("two handlers for " + type.getName());
      return this;
    }

    /**
     * Handles the answers to this machine's calls ({@link Step#call}) whose request is a {@code
     * requestType}: the callee's reply, its refusal or the call's timeout, each call's answer
     * exactly once.
     */
    @SuppressWarnings("unchecked")
    public <Q> Builder<I, S> onReply(Class<Q> requestType, Handler<S, Reply<Q>> handler) {
      Objects.requireNonNull(requestType, "requestType");
      Objects.requireNonNull(handler, "handler");
      if (replies.put(requestType, (Handler<S, Object>) (Handler<S, ?>) handler) != null)
        throw new IllegalArgumentException("two reply handlers for calls of " + requestType.getName());
      return this;
    }

    /**
     * Handles the outcomes of this machine's effects named {@code name} ({@link Step#effect}), whose
     * requests are {@code requestType}s: each effect's outcome exactly once.
     */
    @SuppressWarnings("unchecked")
    public <Q> Builder<I, S> onEffect(String name, Class<Q> requestType, Handler<S, EffectResult<Q>> handler) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(requestType, "requestType");
      Objects.requireNonNull(handler, "handler");
      if (effects.put(name, (Handler<S, Object>) (Handler<S, ?>) handler) != null)
        throw new IllegalArgumentException("two handlers for the outcome of effect " + name);
      return this;
    }

    /** @throws IllegalStateException naming the input records that have no handler */
    public Handlers<I, S> build() {
      List<String> missing = new ArrayList<>();
      for (Class<?> c : InputTypes.concreteInputs(inputType))
        if (!byClass.containsKey(c)) missing.add(c.getSimpleName());
      if (!missing.isEmpty())
        throw new IllegalStateException(
            "no handler for input(s) " + missing + " of " + inputType.getName());
      return new Handlers<>(Map.copyOf(byClass), Map.copyOf(replies), Map.copyOf(effects));
    }
  }
}
