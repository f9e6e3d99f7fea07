package dev.rsm.app.sample.saga;

import com.typesafe.config.Config;
import dev.rsm.persistence.RuntimeOptions;
import java.nio.file.Path;

/** The order saga's effects, bound to the fake gateway that {@code rsm.sample.gateway} describes. */
public final class Saga {
  private Saga() {}

  /** The gateway of {@code config}'s {@code rsm.sample.gateway}. */
  public static PaymentGateway gateway(Config config) {
    Config c = config.getConfig("rsm.sample.gateway");
    return new PaymentGateway(Path.of(c.getString("dir")), c.getDouble("fail-rate"), c.getDouble("stall-rate"),
        c.getDuration("stall"));
  }

  /** {@code options} with the saga's effects executed by {@code gateway}. */
  public static RuntimeOptions effects(RuntimeOptions options, PaymentGateway gateway) {
    return options.withEffect(Order.CHARGE, Order.Charge.class, gateway.charge())
        .withEffect(Order.REFUND, Order.Refund.class, gateway.refund());
  }
}
