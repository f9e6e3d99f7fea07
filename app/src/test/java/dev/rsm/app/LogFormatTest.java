package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The node's logback.xml: readable lines by default, one JSON object per line with {@code rsm.log.format = json}. */
class LogFormatTest {

  @Test
  void jsonFormatWritesOneObjectPerLineWithTheMdc() throws Exception {
    String out = logOneLine("json");
    // Other threads of this JVM may print meanwhile: the line is the one of logger "test".
    List<String> lines = out.lines().filter(l -> l.contains("\"loggerName\":\"test\"")).toList();
    assertEquals(1, lines.size(), out);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertEquals("INFO", line.get("level").asText());
    assertEquals("machine account|a took step 7", line.get("formattedMessage").asText());
    assertEquals("account", line.get("mdc").get("machine.type").asText());
    assertEquals("a", line.get("mdc").get("machine.id").asText());
    assertEquals("7", line.get("mdc").get("step.seq").asText());
    assertEquals("k1", line.get("mdc").get("idempotency.key").asText());
  }

  @Test
  void textIsTheDefault() throws Exception {
    String out = logOneLine(null);
    assertTrue(out.lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  test - machine account\\|a took step 7")), out);
  }

  /** One line logged through a fresh context configured by the node's logback.xml; what it printed. */
  private static String logOneLine(String format) throws Exception {
    org.slf4j.LoggerFactory.getILoggerFactory(); // initialised now: its status lines are not what this reads
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      if (format != null) context.putProperty("rsm.log.format", format);
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      MDC.put("machine.type", "account");
      MDC.put("machine.id", "a");
      MDC.put("step.seq", "7");
      MDC.put("idempotency.key", "k1");
      context.getLogger("test").info("machine {} took step {}", "account|a", 7);
    } finally {
      MDC.clear();
      context.stop();
      System.setOut(stdout);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }
}
