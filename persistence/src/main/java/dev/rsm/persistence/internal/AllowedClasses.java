package dev.rsm.persistence.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.rsm.actors.MachineType;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * INTERNAL API. The classes an ActorSystem deserializes by name as user values (inputs, states,
 * replies): in messages from other nodes ({@link Payload} fields), inside them (any class-named
 * type id Jackson meets, through {@link PayloadTypeValidator}) and in journal rows ({@link
 * RsmJournalSerializer}). A peer that reaches the cluster port, or a row written by someone else,
 * therefore cannot make this node instantiate a class of its choosing.
 *
 * <p>Allowed are
 *
 * <ul>
 *   <li>the classes {@linkplain ReachableClasses reachable} from the machine types registered by a
 *       runtime started on this system ({@code LocalRuntime}, {@code ShardedRuntime}, the
 *       testkit's replay check), including their {@link MachineType#withValueTypes value types};
 *   <li>the classes listed in {@code rsm.serialization.allowed-classes}, and those reachable from
 *       them, from the start;
 *   <li>JDK value types: strings, boxed primitives, {@code BigInteger}, {@code BigDecimal}, {@code
 *       UUID}, {@code Optional}, {@code java.time} values and the collections Jackson reads itself
 *       ({@code ArrayList}, {@code HashMap}, {@code List.of(..)}'s classes, ...);
 *   <li>the runtime's wrappers of calls, answers and effects' outcomes ({@link Envelopes});
 *   <li>arrays of any of these.
 * </ul>
 *
 * Nothing else, and nothing at all before a runtime registers its machine types. The set only
 * grows. Checking a name costs one hash-set lookup; Jackson caches what it resolved per type id.
 */
public final class AllowedClasses implements Extension {
  private static final Id ID = new Id();

  private static final Set<String> JDK_VALUES = Set.of(
      "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short",
      "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
      "java.lang.Character", "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID",
      "java.util.Optional", "java.util.OptionalInt", "java.util.OptionalLong",
      "java.util.OptionalDouble",
      "java.time.Instant", "java.time.Duration", "java.time.Period", "java.time.LocalDate",
      "java.time.LocalTime", "java.time.LocalDateTime", "java.time.OffsetDateTime",
      "java.time.OffsetTime", "java.time.ZonedDateTime", "java.time.Year", "java.time.YearMonth",
      "java.time.MonthDay", "java.time.ZoneOffset", "java.time.ZoneRegion", "java.time.DayOfWeek",
      "java.time.Month",
      "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.HashMap",
      "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet",
      "java.util.LinkedHashSet", "java.util.TreeSet", "java.util.Arrays$ArrayList");

  /** The runtime's own wrappers of user values: calls, their answers, effects' outcomes (Envelopes). */
  private static final Set<String> RUNTIME_VALUES = Set.of(Envelopes.CallRequest.class.getName(),
      Envelopes.CallReply.class.getName(), Envelopes.EffectOutcome.class.getName());

  /** The JDK's immutable and wrapped collections, which Jackson reads with its own deserializers. */
  private static final List<String> JDK_COLLECTION_PREFIXES =
      List.of("java.util.ImmutableCollections$", "java.util.Collections$");

  private volatile Set<String> user;

  private AllowedClasses(ExtendedActorSystem system) {
    this.user = configured(system);
    JacksonObjectMapperProvider mappers = JacksonObjectMapperProvider.get(system);
    bind(mappers.getOrCreate("jackson-cbor", Optional.of(new CBORFactory())));
    bind(mappers.getOrCreate("jackson-json", Optional.empty()));
  }

  private void bind(ObjectMapper mapper) {
    if (mapper.getPolymorphicTypeValidator() instanceof PayloadTypeValidator v) v.bind(this);
    else
      throw new IllegalStateException("the object mapper of " + mapper.getFactory().getFormatName()
          + " has no " + PayloadTypeValidator.class.getName() + ": keep "
          + PayloadTypeValidator.Module.class.getName() + " in pekko.serialization.jackson.jackson-modules");
  }

  public static AllowedClasses get(ActorSystem<?> system) {
    return ID.get(system.classicSystem());
  }

  public static AllowedClasses get(org.apache.pekko.actor.ActorSystem system) {
    return ID.get(system);
  }

  /** Allows the classes reachable from {@code types}. */
  public synchronized void register(Collection<? extends MachineType<?, ?>> types) {
    Set<String> next = new HashSet<>(user);
    for (MachineType<?, ?> t : types) ReachableClasses.of(t, next);
    user = Set.copyOf(next);
  }

  private static Set<String> configured(ExtendedActorSystem system) {
    Set<String> names = new HashSet<>();
    ClassLoader loader = system.dynamicAccess().classLoader();
    for (String name : system.settings().config().getStringList("rsm.serialization.allowed-classes")) {
      try {
        ReachableClasses.of(Class.forName(name, false, loader), names);
        names.add(name); // even a JDK class: the operator asked for it by name
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(
            "rsm.serialization.allowed-classes names " + name + ", which is not on the classpath", e);
      }
    }
    return Set.copyOf(names);
  }

  /** Whether a value of the class named {@code name} may be deserialized. */
  public boolean allows(String name) {
    if (name.startsWith("[")) return allowsArray(name);
    if (user.contains(name) || JDK_VALUES.contains(name) || RUNTIME_VALUES.contains(name)) return true;
    for (String prefix : JDK_COLLECTION_PREFIXES) if (name.startsWith(prefix)) return true;
    return false;
  }

  private boolean allowsArray(String name) {
    String element = name.substring(name.lastIndexOf('[') + 1);
    if (element.length() == 1) return "ZBCSIJFD".contains(element); // a primitive
    return element.startsWith("L") && element.endsWith(";")
        && allows(element.substring(1, element.length() - 1));
  }

  /**
   * @throws IllegalArgumentException if {@code value} is not null and its class is not allowed:
   *     a step holding it could not be read back from the journal
   */
  public void check(Object value, String role) {
    if (value != null && !allows(value.getClass().getName()))
      throw new IllegalArgumentException(role + " " + refusal(value.getClass().getName()));
  }

  /** Why {@code name} is refused, and the fix. */
  public String refusal(String name) {
    String why = "it is not reachable from the inputs, states and nested types of the machine types this node runs";
    return "of class " + name + " is not allowed: " + why + ". Declare it with MachineType.withValueTypes(..) "
        + "or list it in rsm.serialization.allowed-classes (docs/security.md)";
  }

  private static final class Id extends AbstractExtensionId<AllowedClasses> {
    @Override
    public AllowedClasses createExtension(ExtendedActorSystem system) {
      return new AllowedClasses(system);
    }
  }
}
