package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.http.HttpSettings;
import dev.rsm.app.http.MachineRoutes;
import dev.rsm.app.sample.Account;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineUnavailableException;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An {@link IngressResult.Unavailable} is answered 503 with {@code Retry-After}, and its reason is
 * in the body for a client to switch on; so is a read the machine may not answer (its node does
 * not hold its lease). The machines are a stub that answers what the test says.
 */
class UnavailableReasonTest {
  private static ActorSystem<Void> system;
  private static int port;
  private static volatile IngressResult answer;

  @BeforeAll
  static void start() throws Exception {
    Config config = ConfigFactory.parseString("pekko.actor.provider = local\nrsm.http.port = 0")
        .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "unavailable-reason", config);
    MachineRoutes routes = new MachineRoutes(new StubMachines(), HttpSettings.fromConfig(config));
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(routes.route())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Test
  void eachReasonIs503WithRetryAfterAndTheReasonInTheBody() throws Exception {
    for (IngressResult.Unavailable.Reason reason : IngressResult.Unavailable.Reason.values()) {
      answer = new IngressResult.Unavailable(reason, "machine account|a: " + reason);
      HttpResponse<String> r = dev.rsm.app.testing.Http.post(port, "/machines/account/a", "k1",
          "{\"type\":\"deposit\",\"amount\":1}");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
      String expected = switch (reason) {
        case OVERLOADED -> "overloaded";
        case NOT_CONFIRMED -> "not-confirmed";
        case NOT_LEASED -> "not-leased";
      };
      assertEquals("{\"error\":\"machine account|a: " + reason + "\",\"reason\":\"" + expected + "\"}", r.body());
    }
  }

  @Test
  void aReadTheMachineMayNotAnswerIs503NotLeased() throws Exception {
    HttpResponse<String> r = dev.rsm.app.testing.Http.get(port, "/machines/account/a");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
    assertEquals("{\"error\":\"account/a: no lease\",\"reason\":\"not-leased\"}", r.body());
  }

  private static final class StubMachines implements Machines {
    private final MachineRegistry registry = MachineRegistry.of(Account.TYPE);

    @Override
    public MachineRegistry registry() {
      return registry;
    }

    @Override
    public CompletionStage<IngressResult> ask(Address to, String key, Object input, Duration timeout) {
      return CompletableFuture.completedFuture(answer);
    }

    @Override
    public CompletionStage<IngressResult> ask(Address to, String key, Object input) {
      return CompletableFuture.completedFuture(answer);
    }

    @Override
    public CompletionStage<MachineView> state(Address of, Duration timeout) {
      return CompletableFuture.supplyAsync(() -> {
        throw new MachineUnavailableException(IngressResult.Unavailable.Reason.NOT_LEASED, of + ": no lease");
      });
    }

    @Override
    public CompletionStage<MachineView> state(Address of) {
      return state(of, Duration.ZERO);
    }
  }
}
