package dev.rsm.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A journal in a file, to take it from production to a developer's machine and {@link ReplayCheck
 * check} an upgrade against it. JSON lines: a header {@code {"format":"rsm-journal","version":1}},
 * then one {@link JournalRow} per line with the event's serialized bytes in base64, exactly as the
 * database holds them (so the export needs none of the machines' classes, and the check reads
 * them with the code under test).
 */
public final class JournalFile {
  static final String FORMAT = "rsm-journal";
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private JournalFile() {}

  /**
   * Writes every machine journal of {@code source} to {@code file}, replacing it.
   *
   * @return the number of events written
   */
  public static long export(JournalSource source, Path file) {
    long n = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(JSON.writeValueAsString(Map.of("format", FORMAT, "version", VERSION)));
      out.newLine();
      for (String pid : source.persistenceIds())
        for (JournalRow row : source.rows(pid)) {
          out.write(JSON.writeValueAsString(row));
          out.newLine();
          n++;
        }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
    return n;
  }

  /** Reads a file written by {@link #export}. */
  public static JournalSource read(Path file) {
    Map<String, List<JournalRow>> byId = new TreeMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      JsonNode h = header == null ? null : JSON.readTree(header);
      if (h == null || !FORMAT.equals(h.path("format").asText()) || h.path("version").asInt() != VERSION)
        throw new IllegalArgumentException(file + " is not an RSM journal export (version " + VERSION + ")");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) continue;
        JournalRow row = JSON.readValue(line, JournalRow.class);
        byId.computeIfAbsent(row.persistenceId(), k -> new ArrayList<>()).add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
    byId.values().forEach(rows -> rows.sort((a, b) -> Long.compare(a.sequenceNumber(), b.sequenceNumber())));
    return new JournalSource() {
      @Override
      public List<String> persistenceIds() {
        return List.copyOf(byId.keySet());
      }

      @Override
      public List<JournalRow> rows(String persistenceId) {
        return byId.getOrDefault(persistenceId, List.of());
      }
    };
  }
}
