package dev.rsm.actors;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A kind of machine: a name, its input and state types, and the {@link Machine} that handles its
 * inputs. The name is part of every address and persistence id, so it must never change once
 * machines of the type have been journaled.
 *
 * <p>Create one constant per machine class: {@code MachineType.of("account", Account::new)}. The
 * input and state types are read from the class's {@code extends Machine<I, S>} clause.
 *
 * @param <I> the input type
 * @param <S> the state type
 */
public final class MachineType<I, S> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  private final String name;
  private final Machine<I, S> machine;
  private final Class<I> inputType;
  private final Class<S> stateType;
  private final Map<String, Class<? extends I>> inputsByName;
  private final Set<Class<?>> valueTypes;

  private MachineType(String name, Machine<I, S> machine, Class<I> inputType, Class<S> stateType) {
    this.name = name;
    this.machine = machine;
    this.inputType = inputType;
    this.stateType = stateType;
    this.valueTypes = Set.of();
    Map<String, Class<? extends I>> byName = new LinkedHashMap<>();
    for (Class<?> c : InputTypes.concreteInputs(inputType)) {
      Class<? extends I> prev = byName.put(InputTypes.externalName(c), c.asSubclass(inputType));
      if (prev != null)
        throw new IllegalArgumentException(
            "inputs " + prev.getName() + " and " + c.getName() + " share the name '"
                + InputTypes.externalName(c) + "'; set one with @InputName");
    }
    this.inputsByName = Collections.unmodifiableMap(byName);
  }

  private MachineType(MachineType<I, S> from, Set<Class<?>> valueTypes) {
    this.name = from.name;
    this.machine = from.machine;
    this.inputType = from.inputType;
    this.stateType = from.stateType;
    this.inputsByName = from.inputsByName;
    this.valueTypes = valueTypes;
  }

  /**
   * Defines a machine type.
   *
   * @param name lower case letters, digits and '-', starting with a letter, at most 63 characters
   * @param factory creates the (stateless) machine; called once
   * @throws IllegalArgumentException if the name is invalid, the machine class does not extend
   *     {@code Machine<I, S>} with concrete types, or an input record has no handler
   */
  @SuppressWarnings("unchecked")
  public static <I, S> MachineType<I, S> of(String name, Supplier<? extends Machine<I, S>> factory) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches())
      throw new IllegalArgumentException(
          "invalid machine type name '" + name + "': use [a-z][a-z0-9-]{0,62}");
    Machine<I, S> machine = factory.get();
    Type[] args = typeArguments(machine.getClass());
    Class<I> in = (Class<I>) rawClass(args[0], machine.getClass());
    Class<S> st = (Class<S>) rawClass(args[1], machine.getClass());
    machine.bind(in);
    return new MachineType<>(name, machine, in, st);
  }

  private static Type[] typeArguments(Class<?> c) {
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      Type sup = k.getGenericSuperclass();
      if (sup instanceof ParameterizedType p && p.getRawType() == Machine.class)
        return p.getActualTypeArguments();
    }
    throw new IllegalArgumentException(c.getName() + " must extend Machine<Input, State>");
  }

  private static Class<?> rawClass(Type t, Class<?> owner) {
    if (t instanceof Class<?> c) return c;
    if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) return c;
    throw new IllegalArgumentException(
        owner.getName() + " must extend Machine<I, S> with concrete classes, not " + t);
  }

  public String name() {
    return name;
  }

  public Machine<I, S> machine() {
    return machine;
  }

  public Class<I> inputType() {
    return inputType;
  }

  public Class<S> stateType() {
    return stateType;
  }

  public S initialState() {
    return machine.initialState();
  }

  /**
   * This type, also declaring {@code types} as values its machines journal and exchange. A node
   * deserializes, from the network and from the journal, only the classes reachable from the
   * machine types it runs: the input and state types, the records, enums and sealed interfaces
   * declared inside the machine class or next to the input or state type (in the same top-level
   * class), and the classes of their fields, plus JDK value types
   * (docs/security.md). Declare here the classes of replies (or of values kept under an {@code
   * Object}-typed field) that are defined elsewhere: a step replying with a class that is not
   * reachable fails like a handler that throws, and nothing is journaled.
   *
   * @return a copy of this type with the classes added
   */
  public MachineType<I, S> withValueTypes(Class<?>... types) {
    Set<Class<?>> all = new LinkedHashSet<>(valueTypes);
    for (Class<?> t : types) all.add(Objects.requireNonNull(t, "type"));
    return new MachineType<>(this, Collections.unmodifiableSet(all));
  }

  /** The classes declared with {@link #withValueTypes}, in declaration order. */
  public Set<Class<?>> valueTypes() {
    return valueTypes;
  }

  /** The address of the machine of this type with id {@code id}. */
  public Address address(String id) {
    return new Address(name, id);
  }

  /** The input records by external name (see {@link InputName}), in declaration order. */
  public Map<String, Class<? extends I>> inputsByName() {
    return inputsByName;
  }

  /** The external name of an input record of this type. */
  public String inputName(Class<?> input) {
    return InputTypes.externalName(input);
  }

  /** Whether this type's machines handle answers to calls whose request is a {@code request}. */
  public boolean handlesRepliesTo(Class<?> request) {
    return machine.table().handlesRepliesTo(request);
  }

  /** Whether this type's machines handle outcomes of the effect {@code name}. */
  public boolean handlesEffect(String name) {
    return machine.table().handlesEffect(name);
  }

  /** Whether {@code o} is one of this type's inputs. */
  public boolean accepts(Object o) {
    return inputType.isInstance(o);
  }

  @Override
  public String toString() {
    return "MachineType[" + name + "]";
  }
}
