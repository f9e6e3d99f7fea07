package dev.rsm.persistence;

import com.typesafe.config.Config;
import dev.rsm.actors.MachineType;
import java.util.List;

/**
 * A set of machine types a node hosts, with what they need from the node (effect handlers): the
 * way to run a node with your own machines without writing its {@code main}. A node finds modules
 * by the class names in {@code rsm.node.machines} or, when that is empty, through {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.rsm.persistence.MachineModule}); the CLI's
 * {@code replay-check --jar} finds them the same way in a jar.
 *
 * <pre>{@code
 * public final class BankMachines implements MachineModule {
 *   public List<MachineType<?, ?>> types() { return List.of(Account.TYPE); }
 * }
 * }</pre>
 *
 * <p>An implementation needs a public no-argument constructor. Its types' names must be unique
 * across all modules of a node.
 */
public interface MachineModule {
  /** The machine types of this module. */
  List<MachineType<?, ?>> types();

  /**
   * The options the node starts these machines with, given the node's configuration and the
   * options of the modules before this one: here a module binds its effects' handlers
   * ({@link RuntimeOptions#withEffect}). By default, {@code options} unchanged.
   */
  default RuntimeOptions options(Config config, RuntimeOptions options) {
    return options;
  }
}
