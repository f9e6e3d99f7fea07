package dev.rsm.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each keyword the contract checks rely on refuses what it should, and accepts what it should. */
class SchemaCheckTest {
  static final ObjectMapper M = new ObjectMapper();
  static final JsonNode ROOT = json("""
      {"components": {"schemas": {
        "Deposit": {"type": "object", "properties": {"type": {"type": "string", "const": "deposit"},
            "amount": {"type": "integer", "format": "int64"}}, "required": ["type", "amount"], "additionalProperties": false},
        "Note": {"type": "object", "properties": {"type": {"type": "string", "const": "note"},
            "text": {"type": "string", "minLength": 1, "maxLength": 3}}, "required": ["type", "text"], "additionalProperties": false},
        "State": {"type": "object", "properties": {
            "status": {"type": ["string", "null"], "enum": ["NEW", "DONE", null]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer", "format": "int32"}},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
            "inner": {"anyOf": [{"$ref": "#/components/schemas/Note"}, {"type": "null"}]},
            "ratio": {"type": "number", "minimum": 0}}, "required": ["status"]},
        "Input": {"oneOf": [{"$ref": "#/components/schemas/Deposit"}, {"$ref": "#/components/schemas/Note"}]},
        "Failure": {"allOf": [{"$ref": "#/components/schemas/Note"}], "required": ["errorId"]}
      }}}""");
  static final SchemaCheck CHECK = new SchemaCheck(ROOT);

  static JsonNode json(String s) {
    try {
      return M.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static List<String> errors(String value, String schema) {
    return CHECK.errors(json(value), CHECK.resolve("#/components/schemas/" + schema));
  }

  @Test
  void oneOfPicksTheInputByItsConstType() {
    assertEquals(List.of(), errors("{\"type\":\"deposit\",\"amount\":5}", "Input"));
    assertEquals(List.of(), errors("{\"type\":\"note\",\"text\":\"hi\"}", "Input"));
    assertTrue(errors("{\"type\":\"steal\",\"amount\":5}", "Input").get(0).contains("matches 0 of oneOf"));
    assertTrue(errors("{\"type\":\"note\",\"amount\":5}", "Input").get(0).contains("matches 0 of oneOf"));
  }

  @Test
  void requiredAdditionalPropertiesAndTypesRefuse() {
    assertTrue(errors("{\"type\":\"deposit\"}", "Deposit").contains("$: missing property 'amount'"));
    assertTrue(errors("{\"type\":\"deposit\",\"amount\":1,\"bonus\":2}", "Deposit").get(0).contains("$.bonus"));
    assertTrue(errors("{\"type\":\"deposit\",\"amount\":\"5\"}", "Deposit").get(0).contains("$.amount"));
    assertTrue(errors("[]", "Deposit").get(0).contains("is not \"object\""));
  }

  @Test
  void integersAreIntegralAndInRangeOfTheirFormat() {
    for (String amount : new String[] {"2.9", "2.0", "1e2", "99999999999999999999", "true", "null"})
      assertEquals(1, errors("{\"type\":\"deposit\",\"amount\":" + amount + "}", "Deposit").size(), amount);
    assertEquals(List.of(), errors("{\"type\":\"deposit\",\"amount\":9223372036854775807}", "Deposit"));
    assertEquals(1, errors("{\"status\":null,\"counts\":{\"a\":2147483648}}", "State").size());
  }

  @Test
  void enumsNullablesItemsAnyOfAndBounds() {
    assertEquals(List.of(), errors("{\"status\":null,\"tags\":null,\"inner\":null}", "State"));
    assertEquals(List.of(), errors("{\"status\":\"NEW\",\"tags\":[\"a\"],\"inner\":{\"type\":\"note\",\"text\":\"x\"},\"ratio\":0.5}", "State"));
    assertEquals(1, errors("{\"status\":\"GONE\"}", "State").size());
    assertEquals(1, errors("{\"status\":\"NEW\",\"tags\":[1]}", "State").size());
    assertEquals(1, errors("{\"status\":\"NEW\",\"inner\":{\"type\":\"note\",\"text\":\"long\"}}", "State").size());
    assertEquals(1, errors("{\"status\":\"NEW\",\"ratio\":-1}", "State").size());
    assertEquals(1, errors("{\"type\":\"note\",\"text\":\"\"}", "Note").size());
  }

  @Test
  void allOfAddsToTheReferencedSchema() {
    assertEquals(List.of("$: missing property 'errorId'"), errors("{\"type\":\"note\",\"text\":\"x\"}", "Failure"));
  }
}
