package dev.rsm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error status of the HTTP API is its own exception, carrying the node's text, and is not retried. */
class ErrorStatusTest {
  @ParameterizedTest
  @CsvSource({
      "400, InvalidInput", "422, InvalidInput", "401, Unauthorized", "404, NotFound", "413, TooLarge",
      "429, TooManyKeys", "500, HandlerFailed", "502, UnexpectedResponse"})
  void eachStatusIsItsException(int status, String exception) {
    String body = status == 500 ? "{\"error\":\"the handler failed\",\"errorId\":\"e-17\"}" : "{\"error\":\"the handler failed\"}";
    try (FakeNode node = new FakeNode(n -> FakeNode.json(status, body, "Retry-After", "600"))) {
      RsmClient client = RsmClient.builder().nodes(node.uri()).deadline(Duration.ofSeconds(10)).build();
      RsmException e = assertThrows(RsmException.class,
          () -> client.machine(Wallet.TYPE, "w").ask("k", new Wallet.Deposit(1)));

      assertEquals(exception, e.getClass().getSimpleName());
      assertEquals(status, e.status());
      assertEquals("the handler failed", e.getMessage());
      assertEquals(1, node.requests.size(), "answered, so not retried although it had a key");
      if (e instanceof InvalidInput invalid) assertEquals(status == 422, invalid.keyReused());
      if (e instanceof TooManyKeys full) assertEquals(Duration.ofSeconds(600), full.retryAfter());
      if (e instanceof HandlerFailed failed) assertEquals("e-17", failed.errorId());
    }
  }

  @ParameterizedTest
  @CsvSource({"200", "502"})
  void aBodyThatIsNotTheApisJsonIsAnUnexpectedResponse(int status) {
    try (FakeNode node = new FakeNode(n -> new FakeNode.Response(status, java.util.Map.of(), "<html>gateway</html>"))) {
      RsmClient client = RsmClient.builder().nodes(node.uri()).build();
      UnexpectedResponse e = assertThrows(UnexpectedResponse.class,
          () -> client.machine(Wallet.TYPE, "w").ask("k", new Wallet.Deposit(1)));

      assertEquals(status, e.status());
      assertTrue(e.getMessage().contains("<html>gateway</html>"), e.getMessage());
      assertInstanceOf(RsmException.class, e);
      assertFalse(e.getMessage().isBlank());
    }
  }
}
