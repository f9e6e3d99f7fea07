package dev.rsm.app.sample;

import com.typesafe.config.Config;
import dev.rsm.actors.MachineType;
import dev.rsm.app.sample.saga.Inventory;
import dev.rsm.app.sample.saga.Order;
import dev.rsm.app.sample.saga.Saga;
import dev.rsm.persistence.MachineModule;
import dev.rsm.persistence.RuntimeOptions;
import java.util.List;

/**
 * The bundled samples as a module: the bank ({@link Account}) and the order saga ({@link Order},
 * {@link Inventory}) with its payment effects on the fake gateway of {@code rsm.sample.gateway}.
 *
 * <p>Deliberately not in {@code META-INF/services}: a node hosts it only when no module is named
 * in {@code rsm.node.machines} and none is found on the class path, so a jar of your own machines
 * replaces the samples instead of joining them. Name it ({@code dev.rsm.app.sample.Samples}) in
 * {@code rsm.node.machines} to host both.
 */
public final class Samples implements MachineModule {
  @Override
  public List<MachineType<?, ?>> types() {
    return List.of(Account.TYPE, Order.TYPE, Inventory.TYPE);
  }

  @Override
  public RuntimeOptions options(Config config, RuntimeOptions options) {
    return Saga.effects(options, Saga.gateway(config));
  }
}
