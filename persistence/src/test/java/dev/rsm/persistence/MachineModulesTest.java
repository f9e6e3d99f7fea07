package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.machines.Buyer;
import dev.rsm.persistence.machines.Counter;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a node finds its machine modules: by the class names of {@code rsm.node.machines}, else by
 * {@link java.util.ServiceLoader}, else not at all (the caller's fallback); and the one-line error
 * for each way a module can be wrong.
 */
class MachineModulesTest {
  static final ClassLoader LOADER = MachineModulesTest.class.getClassLoader();

  public static final class Counters implements MachineModule {
    @Override
    public List<MachineType<?, ?>> types() {
      return List.of(Counter.TYPE);
    }
  }

  public static final class Bank implements MachineModule {
    @Override
    public List<MachineType<?, ?>> types() {
      return List.of(BankAccount.TYPE);
    }
  }

  /** A module that binds an effect, as the order saga does. */
  public static final class Buyers implements MachineModule {
    @Override
    public List<MachineType<?, ?>> types() {
      return List.of(Buyer.TYPE);
    }

    @Override
    public RuntimeOptions options(Config config, RuntimeOptions options) {
      return options.withEffect(Buyer.PAY, Buyer.Charge.class, (request, attempt) -> "paid");
    }
  }

  /** Also a type named "counter". */
  public static final class MoreCounters implements MachineModule {
    @Override
    public List<MachineType<?, ?>> types() {
      return List.of(MachineType.of("counter", Counter::new));
    }
  }

  public static final class WithArgument implements MachineModule {
    public WithArgument(String name) {}

    @Override
    public List<MachineType<?, ?>> types() {
      return List.of();
    }
  }

  public static final class NotAModule {}

  @Test
  void theNamedClassesAreTheModulesInTheirOrderWithTheirTypesAndOptions() {
    MachineModules modules = MachineModules.load(machines(Buyers.class, Counters.class), LOADER);

    assertEquals(List.of(Buyers.class, Counters.class), modules.modules().stream().map(Object::getClass).toList());
    assertEquals(List.of("buyer", "counter"), names(modules.registry()));
    assertEquals(Set.of(Buyer.PAY), modules.options(ConfigFactory.empty()).effects().keySet());
    assertEquals(Buyers.class.getName() + " [buyer], " + Counters.class.getName() + " [counter]", modules.toString());
  }

  @Test
  void withoutNamesTheModulesAreThoseTheServiceLoaderFinds(@TempDir Path dir) throws IOException {
    try (URLClassLoader withServices = services(dir, Counters.class, Bank.class)) {
      MachineModules modules = MachineModules.load(ConfigFactory.empty(), withServices);

      assertEquals(List.of("counter", "bank-account"), names(modules.registry()));
      assertEquals(List.of("counter", "bank-account"), names(MachineModules.load(machines(), withServices).registry()));
    }
  }

  @Test
  void namesWinOverTheServiceLoader(@TempDir Path dir) throws IOException {
    try (URLClassLoader withServices = services(dir, Counters.class)) {
      assertEquals(List.of("bank-account"), names(MachineModules.load(machines(Bank.class), withServices).registry()));
    }
  }

  @Test
  void withNeitherThereAreNoneAndTheFallbackIsUsed() {
    MachineModules none = MachineModules.load(ConfigFactory.empty(), LOADER);
    assertTrue(none.isEmpty());

    MachineModules fallback = none.orElse(Bank::new);
    assertEquals(List.of("bank-account"), names(fallback.registry()));
    MachineModules found = MachineModules.of(new Counters());
    assertSame(found, found.orElse(Bank::new), "the fallback only when there are none");
  }

  @Test
  void aMissingClassIsNamed() {
    assertEquals("machine module com.example.Missing (rsm.node.machines) is not on the class path",
        error(() -> MachineModules.load(machines("com.example.Missing"), LOADER)));
  }

  @Test
  void aClassThatIsNotAModuleIsNamed() {
    assertEquals("machine module " + NotAModule.class.getName()
            + " (rsm.node.machines) does not implement dev.rsm.persistence.MachineModule",
        error(() -> MachineModules.load(machines(NotAModule.class), LOADER)));
  }

  @Test
  void aModuleWithoutANoArgumentConstructorIsNamed() {
    assertEquals("machine module " + WithArgument.class.getName()
            + " (rsm.node.machines) has no public no-argument constructor",
        error(() -> MachineModules.load(machines(WithArgument.class), LOADER)));
  }

  @Test
  void twoTypesOfOneNameAcrossModulesAreNamedWithBothModules() {
    assertEquals("two machine types named 'counter': in " + Counters.class.getName() + " and "
            + MoreCounters.class.getName() + "; a node's type names must be unique",
        error(() -> MachineModules.load(machines(Counters.class, MoreCounters.class), LOADER)));
  }

  @Test
  void aBrokenServicesFileIsOneLine(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(dir.resolve("META-INF/services/" + MachineModule.class.getName()), "com.example.Gone\n");
    try (URLClassLoader withServices = new URLClassLoader(new URL[] {dir.toUri().toURL()}, LOADER)) {
      String message = error(() -> MachineModules.load(ConfigFactory.empty(), withServices));
      assertTrue(message.startsWith("a machine module listed in META-INF/services could not be loaded: "), message);
      assertTrue(message.contains("com.example.Gone"), message);
      assertTrue(!message.contains("\n"), message);
    }
  }

  private static Config machines(Object... classes) {
    List<String> names = java.util.Arrays.stream(classes)
        .map(c -> c instanceof Class<?> k ? k.getName() : (String) c).toList();
    return ConfigFactory.parseMap(java.util.Map.of(MachineModules.SETTING, names));
  }

  private static URLClassLoader services(Path dir, Class<?>... modules) throws IOException {
    Path file = dir.resolve("META-INF/services/" + MachineModule.class.getName());
    Files.createDirectories(file.getParent());
    StringBuilder lines = new StringBuilder("# found by ServiceLoader\n");
    for (Class<?> m : modules) lines.append(m.getName()).append('\n');
    Files.writeString(file, lines);
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, LOADER);
  }

  private static List<String> names(MachineRegistry registry) {
    return registry.types().stream().map(MachineType::name).toList();
  }

  private static String error(org.junit.jupiter.api.function.Executable load) {
    return assertThrows(IllegalArgumentException.class, load).getMessage();
  }
}
