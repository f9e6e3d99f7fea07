package dev.rsm.persistence;

import com.typesafe.config.Config;
import dev.rsm.actors.MachineType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * The {@link MachineModule}s a node hosts, found the way a node finds them: the classes named in
 * {@code rsm.node.machines}, else every module that {@link ServiceLoader} finds on the class path
 * ({@code META-INF/services/dev.rsm.persistence.MachineModule}). Immutable.
 *
 * <pre>{@code
 * MachineModules modules = MachineModules.load(config, loader).orElse(Samples::new);
 * RsmNode.start(config, modules.registry(), modules.options(config));
 * }</pre>
 *
 * <p>Every way of building one checks the modules: a class that cannot be loaded, that is not a
 * {@code MachineModule} or has no public no-argument constructor, or two types of one name across
 * the modules, is an {@link IllegalArgumentException} whose message is one line naming the class
 * or type and what to fix.
 */
public final class MachineModules {
  /** The setting that names modules by class, in the order they are listed. */
  public static final String SETTING = "rsm.node.machines";

  private final List<MachineModule> modules;
  private final MachineRegistry registry;

  private MachineModules(List<MachineModule> modules) {
    this.modules = List.copyOf(modules);
    Map<String, MachineModule> owners = new LinkedHashMap<>();
    List<MachineType<?, ?>> types = new ArrayList<>();
    for (MachineModule m : this.modules) {
      List<MachineType<?, ?>> own = m.types();
      if (own == null) throw new IllegalArgumentException("machine module " + name(m) + " returned no types (null)");
      for (MachineType<?, ?> t : own) {
        MachineModule first = owners.putIfAbsent(t.name(), m);
        if (first != null)
          throw new IllegalArgumentException("two machine types named '" + t.name() + "': in "
              + (first == m ? name(m) + " twice" : name(first) + " and " + name(m)) + "; a node's type names must be unique");
        types.add(t);
      }
    }
    this.registry = MachineRegistry.of(types);
  }

  /** These modules, in this order. */
  public static MachineModules of(List<? extends MachineModule> modules) {
    return new MachineModules(new ArrayList<>(modules));
  }

  /** These modules, in this order. */
  public static MachineModules of(MachineModule... modules) {
    return of(List.of(modules));
  }

  /**
   * The modules named by {@code rsm.node.machines} in {@code config} (loaded with {@code loader}),
   * or, when it is empty or absent, those {@link #discover discovered} on {@code loader}'s class
   * path; none when neither names any.
   */
  public static MachineModules load(Config config, ClassLoader loader) {
    List<String> names = config.hasPath(SETTING) ? config.getStringList(SETTING) : List.of();
    return names.isEmpty() ? discover(loader) : named(names, loader);
  }

  /** One instance of each class in {@code classNames}, made with its no-argument constructor. */
  public static MachineModules named(List<String> classNames, ClassLoader loader) {
    List<MachineModule> modules = new ArrayList<>();
    for (String name : classNames) modules.add(instantiate(name.trim(), loader));
    return new MachineModules(modules);
  }

  /** The modules that {@link ServiceLoader} finds through {@code loader}, in the order it finds them. */
  public static MachineModules discover(ClassLoader loader) {
    List<MachineModule> modules = new ArrayList<>();
    try {
      for (MachineModule m : ServiceLoader.load(MachineModule.class, loader)) modules.add(m);
    } catch (ServiceConfigurationError e) {
      // The JDK's message names the services file and the class; its cause says what went wrong.
      String cause = e.getCause() == null ? "" : ": " + e.getCause();
      throw new IllegalArgumentException("a machine module listed in META-INF/services could not be loaded: "
          + e.getMessage() + cause, e);
    }
    return new MachineModules(modules);
  }

  /** These modules, or, when there are none, the one {@code fallback} makes. */
  public MachineModules orElse(Supplier<? extends MachineModule> fallback) {
    return modules.isEmpty() ? of(fallback.get()) : this;
  }

  /** Whether there are no modules. */
  public boolean isEmpty() {
    return modules.isEmpty();
  }

  /** The modules, in order. */
  public List<MachineModule> modules() {
    return modules;
  }

  /** Every module's types, in the modules' order. */
  public MachineRegistry registry() {
    return registry;
  }

  /**
   * The options to start the machines with: {@link RuntimeOptions#defaults()} passed through each
   * module's {@link MachineModule#options} in turn.
   */
  public RuntimeOptions options(Config config) {
    return options(config, RuntimeOptions.defaults());
  }

  /** The same, starting from {@code base}. */
  public RuntimeOptions options(Config config, RuntimeOptions base) {
    RuntimeOptions options = base;
    for (MachineModule m : modules) {
      options = m.options(config, options);
      if (options == null) throw new IllegalArgumentException("machine module " + name(m) + " returned no options (null)");
    }
    return options;
  }

  /** Each module's class with its types, for a log line: {@code com.example.Counters [counter]}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (MachineModule m : modules) parts.add(name(m) + " " + m.types().stream().map(MachineType::name).toList());
    return String.join(", ", parts);
  }

  private static MachineModule instantiate(String className, ClassLoader loader) {
    String named = "machine module " + className + " (" + SETTING + ")";
    Class<?> c;
    try {
      c = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(named + " is not on the class path"
          + (e instanceof ClassNotFoundException ? "" : ": " + e), e);
    }
    if (!MachineModule.class.isAssignableFrom(c))
      throw new IllegalArgumentException(named + " does not implement " + MachineModule.class.getName());
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers()))
      throw new IllegalArgumentException(named + " is abstract; name a concrete class");
    Constructor<?> constructor;
    try {
      constructor = c.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(named + " has no public no-argument constructor", e);
    }
    try {
      return (MachineModule) constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(named + " failed in its constructor: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(named + " could not be made: " + e, e);
    }
  }

  private static String name(MachineModule m) {
    return m.getClass().getName();
  }
}
