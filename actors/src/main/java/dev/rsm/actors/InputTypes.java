package dev.rsm.actors;

import java.util.ArrayList;
import java.util.List;

/** Finds the concrete input records of a sealed input interface. */
final class InputTypes {
  private InputTypes() {}

  static List<Class<?>> concreteInputs(Class<?> inputType) {
    List<Class<?>> out = new ArrayList<>();
    collect(inputType, out);
    return out;
  }

  private static void collect(Class<?> c, List<Class<?>> out) {
    if (c.isSealed()) {
      for (Class<?> sub : c.getPermittedSubclasses()) collect(sub, out);
    } else if (!c.isInterface() && !java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
      out.add(c);
    } else {
      throw new IllegalArgumentException(
          "input type " + c.getName() + " must be a sealed interface of records, or a record");
    }
  }

  static String externalName(Class<?> c) {
    InputName n = c.getAnnotation(InputName.class);
    if (n != null) return n.value();
    String s = c.getSimpleName();
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
