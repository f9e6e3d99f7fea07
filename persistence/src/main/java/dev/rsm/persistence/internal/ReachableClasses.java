package dev.rsm.persistence.internal;

import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.HashSet;
import java.util.Set;

/**
 * INTERNAL API. The user classes a machine type's values can have: the classes a node may
 * deserialize by name (see {@link AllowedClasses}). Starting from the input and state types, the
 * records, enums and sealed types declared inside the top-level classes that declare the machine
 * class, the input type and the state type (at any depth), and the types the user
 * declared ({@link MachineType#withValueTypes}, {@code rsm.serialization.allowed-classes}), it
 * follows sealed types to their permitted subclasses and records (and plain classes) to the types
 * of their components (and fields), type arguments included. JDK classes are never collected here:
 * which of them are allowed is {@link AllowedClasses}' fixed list of value types.
 */
final class ReachableClasses {
  private final Set<String> names = new HashSet<>();
  private final Set<Class<?>> seen = new HashSet<>();

  /** The names of the classes reachable from {@code type}, added to {@code into}. */
  static void of(MachineType<?, ?> type, Set<String> into) {
    ReachableClasses r = new ReachableClasses();
    r.walk(type.inputType());
    r.walk(type.stateType());
    for (Class<?> c : type.valueTypes()) r.walk(c);
    // The classes declared next to the input and state types (a protocol class holding replies
    // too) and inside the machine class, and inside its superclasses.
    r.nested(outermost(type.inputType()));
    r.nested(outermost(type.stateType()));
    for (Class<?> k = type.machine().getClass(); k != null && k != Machine.class; k = k.getSuperclass())
      r.nested(outermost(k));
    into.addAll(r.names);
  }

  /** The names of the classes reachable from {@code root} (a class a user listed), added to {@code into}. */
  static void of(Class<?> root, Set<String> into) {
    ReachableClasses r = new ReachableClasses();
    r.walk(root);
    into.addAll(r.names);
  }

  private static Class<?> outermost(Class<?> c) {
    while (c.getDeclaringClass() != null) c = c.getDeclaringClass();
    return c;
  }

  /** Records, enums and sealed types declared inside {@code c}, at any depth: replies live there. */
  private void nested(Class<?> c) {
    for (Class<?> d : c.getDeclaredClasses()) {
      if (d.isRecord() || d.isEnum() || d.isSealed()) walk(d);
      nested(d);
    }
  }

  private void walk(Type t) {
    if (t instanceof Class<?> c) {
      walkClass(c);
    } else if (t instanceof ParameterizedType p) {
      walk(p.getRawType());
      for (Type a : p.getActualTypeArguments()) walk(a);
    } else if (t instanceof GenericArrayType a) {
      walk(a.getGenericComponentType());
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) walk(b);
      for (Type b : w.getLowerBounds()) walk(b);
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) walk(b);
    }
  }

  private void walkClass(Class<?> c) {
    if (c.isArray()) {
      walk(c.getComponentType());
      return;
    }
    if (c.isPrimitive() || !seen.add(c) || isJdk(c.getName())) return;
    names.add(c.getName());
    if (c.isEnum()) {
      // A constant with a body is an instance of an anonymous subclass, which is what the journal names.
      for (Object constant : c.getEnumConstants()) names.add(constant.getClass().getName());
    } else if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) walk(rc.getGenericType());
    } else if (!c.isInterface()) {
      for (Class<?> k = c; k != null && !isJdk(k.getName()); k = k.getSuperclass())
        for (Field f : k.getDeclaredFields())
          if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers()))
            walk(f.getGenericType());
    }
    if (c.isSealed())
      for (Class<?> p : c.getPermittedSubclasses()) walk(p);
  }

  static boolean isJdk(String name) {
    return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
        || name.startsWith("sun.") || name.startsWith("com.sun.");
  }
}
