package dev.rsm.bench;

import java.util.Map;

/** One way of moving messages durably, started, measured through its {@link Meter}, stopped. */
interface Workload extends AutoCloseable {

  /** rsm, es, rd or db. */
  String name();

  /** Starts moving messages; returns once they flow. */
  void start() throws Exception;

  Meter meter();

  /** Facts to report beside the figures (bytes per journal row, ...), read after the run. */
  default Map<String, Object> facts() {
    return Map.of();
  }

  /** Journal rows it has written so far, or -1 if it does not count them. */
  default long journalRows() {
    return -1;
  }

  /** Stops and releases everything it started. */
  @Override
  void close() throws Exception;
}
