package dev.rsm.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.app.Main;
import dev.rsm.persistence.MachineRegistry;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The document generated for machine types, without a node: the mapping of Java types to schemas. */
class OpenApiDocumentTest {
  /** A machine whose input and state share a record, and whose state nests itself. */
  public static final class Tree extends Machine<Tree.Input, Tree.State> {
    public static final MachineType<Input, State> TYPE = MachineType.of("tree", Tree::new);

    public sealed interface Input permits Plant {}

    public record Leaf(String name, double weight) {}

    public record Plant(Leaf leaf, List<Leaf> more, byte[] seed) implements Input {}

    public record State(Leaf last, Node root, Object any) {}

    public record Node(String label, List<Node> children) {}

    @Override
    public State initialState() {
      return new State(null, null, null);
    }

    @Override
    protected Handlers<Input, State> handlers() {
      return newHandlers().on(Plant.class, (s, p, ctx) -> Step.to(new State(p.leaf(), s.root(), null))).build();
    }
  }

  static JsonNode schema(JsonNode doc, String name) {
    return doc.path("components").path("schemas").path(name);
  }

  @Test
  void theSamplesDocumentParsesWithoutMessages() {
    String json = new String(Json.write(OpenApiDocument.of(Main.SAMPLES, "1.2.3", false)), java.nio.charset.StandardCharsets.UTF_8);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, null);
    assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages());
    assertEquals("1.2.3", result.getOpenAPI().getInfo().getVersion());
  }

  @Test
  void theOrderSagasInputsAndStateMapToTheirJsonShapes() {
    JsonNode doc = OpenApiDocument.of(Main.SAMPLES, "1", false);
    assertEquals("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\",\"format\":\"int32\"}}",
        schema(doc, "order.Place").at("/properties/units").toString(), "an input's map: no nulls");
    assertEquals("{\"type\":\"integer\",\"format\":\"int64\"}", schema(doc, "order.Place").at("/properties/amountCents").toString());
    assertEquals("{\"type\":[\"string\",\"null\"],\"enum\":[\"NEW\",\"RESERVING\",\"CHARGING\",\"CONFIRMED\",\"REFUNDING\",\"CANCELLED\",null]}",
        schema(doc, "order.State").at("/properties/status").toString());
    assertEquals("{\"type\":[\"string\",\"null\"]}", schema(doc, "order.State").at("/properties/card").toString(),
        "the initial order has no card yet");
  }

  @Test
  void aRecordBothReadAndWrittenIsDescribedTwiceAndNestingTerminates() {
    JsonNode doc = OpenApiDocument.of(MachineRegistry.of(Tree.TYPE), "1", false);
    assertEquals("{\"$ref\":\"#/components/schemas/tree.Leaf\"}", schema(doc, "tree.Plant").at("/properties/leaf").toString());
    assertEquals("{\"type\":\"string\",\"contentEncoding\":\"base64\"}", schema(doc, "tree.Plant").at("/properties/seed").toString());
    assertEquals(false, schema(doc, "tree.Leaf").path("additionalProperties").asBoolean(true));
    assertEquals("{\"type\":\"number\",\"format\":\"double\"}", schema(doc, "tree.Leaf").at("/properties/weight").toString());
    assertEquals("#/components/schemas/tree.Leaf.Output", schema(doc, "tree.State").at("/properties/last/anyOf/0/$ref").asText());
    assertEquals("{\"type\":[\"string\",\"null\"]}", schema(doc, "tree.Leaf.Output").at("/properties/name").toString());
    assertEquals("#/components/schemas/tree.Node", schema(doc, "tree.Node").at("/properties/children/items/anyOf/0/$ref").asText());
    assertEquals("{}", schema(doc, "tree.State").at("/properties/any").toString());
    assertTrue(doc.at("/paths/~1machines~1tree~1{id}/post/requestBody/content/application~1json/schema/oneOf/0/$ref").asText()
        .endsWith("tree.Plant"));
  }
}
