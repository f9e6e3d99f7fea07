package dev.rsm.persistence;

import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import dev.rsm.actors.EffectHandler;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a runtime ({@link LocalRuntime}, {@code ShardedRuntime}) is started, beyond its ActorSystem
 * and machine types. Immutable: each {@code withX} returns a modified copy. {@link #defaults()}
 * is what production uses: the settings of {@code rsm.persistence}, the system clock, no faults,
 * no observer, and, when {@code rsm.tracing.enabled}, the OpenTelemetry registered globally.
 *
 * <pre>{@code
 * LocalRuntime.start(system, registry, RuntimeOptions.defaults().withObserver(metrics));
 * }</pre>
 */
public final class RuntimeOptions {
  private static final RuntimeOptions DEFAULTS =
      new RuntimeOptions(null, Clock.systemUTC(), FaultInjector.NONE, StepObserver.NONE, null, Map.of());

  private final RuntimeSettings settings; // null: read from the system's config at start
  private final Clock clock;
  private final FaultInjector faults;
  private final StepObserver observer;
  private final OpenTelemetry openTelemetry; // null: GlobalOpenTelemetry, when tracing is on
  private final Map<String, Effect> effects;

  private RuntimeOptions(RuntimeSettings settings, Clock clock, FaultInjector faults, StepObserver observer,
      OpenTelemetry openTelemetry, Map<String, Effect> effects) {
    this.settings = settings;
    this.clock = clock;
    this.faults = faults;
    this.observer = observer;
    this.openTelemetry = openTelemetry;
    this.effects = effects;
  }

  /** An effect handler registered under a name, with its retry policy (null: the configured one). */
  public record Effect(String name, EffectHandler<?> handler, EffectPolicy policy) {}

  /**
   * Executes the effect {@code name} ({@code Step.effect(name, request)}) with {@code handler},
   * retried per {@code rsm.effects.retry} (or {@code rsm.effects.by-name.<name>}). Every node that
   * runs machines requesting it must register it.
   */
  public <Q> RuntimeOptions withEffect(String name, Class<Q> requestType, EffectHandler<Q> handler) {
    return withEffect(name, requestType, handler, null);
  }

  /** The same, retried per {@code policy} unless {@code rsm.effects.by-name.<name>} says otherwise. */
  public <Q> RuntimeOptions withEffect(String name, Class<Q> requestType, EffectHandler<Q> handler, EffectPolicy policy) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(requestType, "requestType");
    Objects.requireNonNull(handler, "handler");
    Map<String, Effect> all = new LinkedHashMap<>(effects);
    if (all.put(name, new Effect(name, handler, policy)) != null)
      throw new IllegalArgumentException("effect " + name + " is registered twice");
    return new RuntimeOptions(settings, clock, faults, observer, openTelemetry, Collections.unmodifiableMap(all));
  }

  /** The effect handlers registered, by name. */
  public Map<String, Effect> effects() {
    return effects;
  }

  /** The settings of {@code rsm.persistence}, the system clock, no faults, no observer. */
  public static RuntimeOptions defaults() {
    return DEFAULTS;
  }

  /** Settings to use instead of reading {@code rsm.persistence} from the ActorSystem's config. */
  public RuntimeOptions withSettings(RuntimeSettings settings) {
    return new RuntimeOptions(Objects.requireNonNull(settings, "settings"), clock, faults, observer, openTelemetry, effects);
  }

  /**
   * The clock every step's recorded time ({@code ctx.now()}) is read from, and against which timer
   * deadlines are measured. It must tick forward (a shifted system clock is fine, a {@link
   * Clock#fixed fixed} one never reaches a deadline). Tests use it to start a node "later", after a
   * timer's deadline has passed.
   */
  public RuntimeOptions withClock(Clock clock) {
    return new RuntimeOptions(settings, Objects.requireNonNull(clock, "clock"), faults, observer, openTelemetry, effects);
  }

  /** Crashes injected at the {@link FaultInjector.Point}s it chooses (tests only). */
  public RuntimeOptions withFaults(FaultInjector faults) {
    return new RuntimeOptions(settings, clock, Objects.requireNonNull(faults, "faults"), observer, openTelemetry, effects);
  }

  /** Sees what the runtime does with machines: steps, writes, deliveries, lifecycle (metrics, benchmarks). */
  public RuntimeOptions withObserver(StepObserver observer) {
    return new RuntimeOptions(settings, clock, faults, Objects.requireNonNull(observer, "observer"), openTelemetry, effects);
  }

  /**
   * Where the machines' spans go when {@code rsm.tracing.enabled} is on (docs/observability.md);
   * without it, the OpenTelemetry registered with {@code GlobalOpenTelemetry} before the runtime
   * starts (by the application or the OpenTelemetry Java agent), if any. With tracing off nothing
   * is sent to either.
   */
  public RuntimeOptions withOpenTelemetry(OpenTelemetry openTelemetry) {
    return new RuntimeOptions(settings, clock, faults, observer, Objects.requireNonNull(openTelemetry, "openTelemetry"), effects);
  }

  /** The settings given with {@link #withSettings}; empty means those of {@code rsm.persistence}. */
  public Optional<RuntimeSettings> settings() {
    return Optional.ofNullable(settings);
  }

  public Clock clock() {
    return clock;
  }

  public FaultInjector faults() {
    return faults;
  }

  public StepObserver observer() {
    return observer;
  }

  /** The OpenTelemetry given with {@link #withOpenTelemetry}; empty means the global one. */
  public Optional<OpenTelemetry> openTelemetry() {
    return Optional.ofNullable(openTelemetry);
  }
}
