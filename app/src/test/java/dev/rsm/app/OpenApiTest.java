package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.http.OpenApiRoutes;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.sample.Account;
import dev.rsm.app.sample.Booking;
import dev.rsm.app.sample.Shop;
import dev.rsm.app.sample.saga.Inventory;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Http.Exchange;
import dev.rsm.app.testing.OpenApiContract;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's OpenAPI contract ({@code GET /openapi.json}) and its browsable page ({@code GET
 * /openapi/}): a valid document that describes every input of the hosted machine types, that real
 * exchanges conform to, and that refuses exchanges outside it.
 */
class OpenApiTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE, Inventory.TYPE, Booking.TYPE, Shop.TYPE, Brittle.TYPE);
  static TestCluster cluster;
  static int port;
  static String served;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, ConfigFactory.empty());
    port = cluster.start().httpPort();
    HttpResponse<String> r = Http.get(port, "/openapi.json");
    assertEquals(200, r.statusCode(), r.body());
    served = r.body();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static OpenAPI parsed() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(served, null, options);
    assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages(), "parser errors and warnings");
    assertNotNull(result.getOpenAPI());
    return result.getOpenAPI();
  }

  @Test
  void theServedDocumentIsValidOpenApiWithoutWarnings() {
    OpenAPI api = parsed();
    assertEquals("3.1.0", api.getOpenapi());
    assertEquals(OpenApiRoutes.version(), api.getInfo().getVersion());
    assertFalse(api.getInfo().getVersion().contains("$"), "the build filled the version in");
    assertEquals(List.of("/machines/account/{id}", "/machines/inventory/{id}", "/machines/booking/{id}",
        "/machines/shop/{id}", "/machines/brittle/{id}"), List.copyOf(api.getPaths().keySet()));
  }

  @Test
  void eachTypesInputsAreTheOneOfItsPostWithTheirFields() {
    OpenAPI api = parsed();
    var post = api.getPaths().get("/machines/account/{id}").getPost();
    assertEquals(List.of("#/components/schemas/account.Deposit", "#/components/schemas/account.Withdraw",
            "#/components/schemas/account.Transfer"),
        post.getRequestBody().getContent().get("application/json").getSchema().getOneOf().stream().map(s -> ((Schema<?>) s).get$ref()).toList());
    assertEquals("Idempotency-Key", post.getParameters().get(0).getName());
    assertEquals(List.of("200", "400", "404", "405", "413", "422", "429", "500", "503"), List.copyOf(post.getResponses().keySet()));

    Map<String, Schema> schemas = api.getComponents().getSchemas();
    Schema<?> transfer = schemas.get("account.Transfer");
    assertEquals(Set.of("type", "to", "amount"), transfer.getProperties().keySet());
    assertEquals(Set.of("type", "to", "amount"), Set.copyOf(transfer.getRequired()));
    assertEquals("transfer", transfer.getProperties().get("type").getConst());
    assertEquals("int64", transfer.getProperties().get("amount").getFormat());
    assertEquals(Boolean.FALSE, transfer.getAdditionalProperties());
    Schema<?> reserve = schemas.get("inventory.Reserve");
    assertEquals(Set.of("type", "order", "units"), Set.copyOf(reserve.getRequired()));
    assertEquals("int32", reserve.getProperties().get("units").getFormat());

    // States: collections, maps, enums-as-strings; null allowed where Java allows it.
    JsonNode doc = OpenApiContract.fetch(port).document();
    JsonNode inventory = doc.at("/components/schemas/inventory.State/properties");
    assertEquals("{\"type\":[\"object\",\"null\"],\"additionalProperties\":{\"type\":[\"integer\",\"null\"],\"format\":\"int32\"}}",
        inventory.get("reserved").toString());
    assertEquals("{\"type\":\"integer\",\"format\":\"int32\"}", inventory.get("available").toString());
    assertEquals("{\"type\":[\"array\",\"null\"],\"items\":{\"type\":[\"string\",\"null\"]}}",
        doc.at("/components/schemas/booking.State/properties/held").toString());
    assertEquals("{\"$ref\":\"#/components/schemas/account.State\"}",
        doc.at("/paths/~1machines~1account~1{id}/get/responses/200/content/application~1json/schema/properties/state").toString());
  }

  @Test
  void realExchangesConform() {
    List<Exchange> exchanges = Http.record();
    try {
      assertEquals(200, Http.post(port, "/machines/shop/s", "i1", "{\"type\":\"issue\",\"percentOff\":10}").statusCode());
      assertEquals(200, Http.post(port, "/machines/booking/b", "h1", "{\"type\":\"hold\",\"seat\":\"1A\"}").statusCode());
      assertEquals(200, Http.post(port, "/machines/inventory/apple", "r1", "{\"type\":\"receive\",\"units\":3}").statusCode());
      assertEquals(400, Http.post(port, "/machines/inventory/apple", null, "{\"type\":\"receive\",\"units\":\"3\"}").statusCode());
      for (String path : new String[] {"/machines/shop/s", "/machines/booking/b", "/machines/inventory/apple", "/machines/account/new"})
        assertEquals(200, Http.get(port, path).statusCode());
    } finally {
      Http.stopRecording();
    }
    assertEquals(8, OpenApiContract.assertConforms(port, exchanges));
  }

  @Test
  void theContractRefusesExchangesOutsideIt() {
    OpenApiContract contract = OpenApiContract.fetch(port);
    String deposit = "{\"type\":\"deposit\",\"amount\":5}";
    assertEquals(List.of(), contract.violations(post(deposit, 200, Map.of(), "{\"accepted\":true,\"balance\":5}")));
    assertEquals(List.of("a request outside the contract was accepted"),
        contract.violations(post("{\"type\":\"deposit\",\"amount\":\"5\"}", 200, Map.of(), "{}")));
    assertEquals(List.of("a request outside the contract got 422, not 400 or 413"),
        contract.violations(post("{\"type\":\"deposit\"}", 422, Map.of(), "{\"error\":\"x\"}")));
    assertEquals(List.of("status 418 is not listed"), contract.violations(post(deposit, 418, Map.of(), "{\"error\":\"x\"}")));
    assertEquals(List.of("header Retry-After is missing"), contract.violations(post(deposit, 429, Map.of(), "{\"error\":\"x\"}")));
    assertEquals(List.of(), contract.violations(post(deposit, 429, Map.of("Retry-After", "60"), "{\"error\":\"x\"}")));
    assertTrue(contract.violations(post(deposit, 500, Map.of(), "{\"error\":\"x\"}")).get(0).contains("missing property 'errorId'"));
    assertTrue(contract.violations(get("/machines/account/a", 200,
            "{\"type\":\"account\",\"id\":\"a\",\"state\":{\"balance\":\"lots\"},\"seqNr\":0,\"unackedOutputs\":0,\"armedTimers\":0}"))
        .get(0).contains("$.state"));
    assertEquals(List.of("no path of the contract matches, yet the status is 200"), contract.violations(get("/elsewhere", 200, "{}")));
  }

  static Exchange post(String body, int status, Map<String, String> headers, String responseBody) {
    Map<String, List<String>> response = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response.put("Content-Type", List.of("application/json"));
    headers.forEach((k, v) -> response.put(k, List.of(v)));
    return new Exchange(port, "POST", "/machines/account/a", Map.of(), body, status, response, responseBody);
  }

  static Exchange get(String path, int status, String responseBody) {
    Map<String, List<String>> response = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response.put("Content-Type", List.of("application/json"));
    return new Exchange(port, "GET", path, Map.of(), null, status, response, responseBody);
  }

  @Test
  void theBrowsablePageIsSwaggerUiFromItsWebjarPointedAtTheDocument() {
    HttpResponse<String> page = Http.get(port, "/openapi/");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElse(""));
    assertTrue(page.body().contains("<script src=\"./swagger-ui-bundle.js\""), page.body());
    assertFalse(page.body().contains("https://"), "nothing from a CDN");
    HttpResponse<String> bundle = Http.get(port, "/openapi/swagger-ui-bundle.js");
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().length() > 1_000_000 && bundle.body().contains("SwaggerUIBundle"));
    assertEquals(200, Http.get(port, "/openapi/swagger-ui.css").statusCode());
    HttpResponse<String> init = Http.get(port, "/openapi/swagger-initializer.js");
    assertTrue(init.body().contains("\"../openapi.json\"") && !init.body().contains("petstore"), init.body());
    assertEquals(302, Http.get(port, "/openapi").statusCode());
    assertEquals(404, Http.get(port, "/openapi/nothing.js").statusCode());
  }
}
