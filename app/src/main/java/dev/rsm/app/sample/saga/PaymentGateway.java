package dev.rsm.app.sample.saga;

import dev.rsm.actors.EffectHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fake card payment gateway for the order saga, outside the machines: what a real one would be
 * (Stripe, Adyen) reduced to its contract. It charges each idempotency key at most once, and a
 * retry with a key it has seen answers with the first charge. Its record lives in a directory, one
 * file per charge and per refund (created atomically), so that several nodes on one machine share
 * it and a test can read it from outside after killing them.
 *
 * <p>On demand it misbehaves like a real one: it declines cards starting with {@code "0000"}, and
 * with {@code failRate} an attempt fails before charging or — just as often — after charging (the
 * caller cannot tell which), and with {@code stallRate} it hangs for {@code stall} before
 * answering. The saga survives all of it because every attempt carries the effect's key.
 */
public final class PaymentGateway {
  private final Path charges;
  private final Path refunds;
  private final Path attempts;
  private final double failRate;
  private final double stallRate;
  private final Duration stall;

  public PaymentGateway(Path dir, double failRate, double stallRate, Duration stall) {
    this.charges = dir.resolve("charges");
    this.refunds = dir.resolve("refunds");
    this.attempts = dir.resolve("attempts.log");
    this.failRate = failRate;
    this.stallRate = stallRate;
    this.stall = stall;
    try {
      Files.createDirectories(charges);
      Files.createDirectories(refunds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A card the gateway declines: final, no attempt will change it. */
  public static final class Declined extends EffectHandler.Final {
    public Declined(String message) {
      super(message);
    }
  }

  /** The {@link Order#CHARGE} effect: charges the order once per key; returns the charge id. */
  public EffectHandler<Order.Charge> charge() {
    return (charge, attempt) -> {
      String key = attempt.idempotencyKey();
      log("charge " + key + " attempt " + attempt.number());
      misbehave();
      Path file = charges.resolve(fileName(key));
      if (Files.exists(file)) return chargeId(key);
      if (charge.card().startsWith("0000")) throw new Declined("card " + charge.card() + " declined");
      boolean failBefore = ThreadLocalRandom.current().nextDouble() < failRate / 2;
      if (failBefore) throw new IOException("gateway unavailable (nothing charged)");
      try {
        Files.writeString(file, charge.order() + " " + charge.card() + " " + charge.amountCents() + "\n",
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
      } catch (FileAlreadyExistsException e) {
        // another attempt with the same key charged meanwhile: the same charge
      }
      if (ThreadLocalRandom.current().nextDouble() < failRate / 2)
        throw new IOException("connection reset (after charging)");
      return chargeId(key);
    };
  }

  /** The {@link Order#REFUND} effect: refunds the charge made under the refund's charge key, once. */
  public EffectHandler<Order.Refund> refund() {
    return (refund, attempt) -> {
      log("refund " + refund.chargeKey() + " attempt " + attempt.number());
      misbehave();
      if (!Files.exists(charges.resolve(fileName(refund.chargeKey())))) return "nothing charged";
      try {
        Files.writeString(refunds.resolve(fileName(refund.chargeKey())), refund.order() + "\n",
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
      } catch (FileAlreadyExistsException e) {
        // refunded already
      }
      return "refunded";
    };
  }

  /** The gateway's record: the order of each charge, by charge key. */
  public Map<String, String> charges() {
    return read(charges);
  }

  /** The order of each refund, by the refunded charge's key. */
  public Map<String, String> refunds() {
    return read(refunds);
  }

  private void misbehave() throws Exception {
    if (ThreadLocalRandom.current().nextDouble() < stallRate) Thread.sleep(stall.toMillis());
  }

  private static String chargeId(String key) {
    return "ch_" + Integer.toHexString(key.hashCode());
  }

  private static String fileName(String key) {
    return key.replace('/', '~');
  }

  private static Map<String, String> read(Path dir) {
    Map<String, String> out = new HashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator)
        out.put(f.getFileName().toString().replace('~', '/'), Files.readString(f).split(" ")[0].trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private void log(String line) {
    try {
      Files.writeString(attempts, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
