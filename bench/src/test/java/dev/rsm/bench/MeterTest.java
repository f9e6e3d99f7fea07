package dev.rsm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The latency figures the report prints: percentiles of what was recorded after the warm-up. */
class MeterTest {

  @Test
  void percentilesAreOfTheMeasuredWindowOnly() {
    Meter m = new Meter(1);
    for (int i = 0; i < 1000; i++) m.delivered(500_000_000L); // warm-up: 500 ms each
    m.reset();
    for (int i = 1; i <= 1000; i++) m.delivered(i * 1_000_000L); // 1 ms .. 1000 ms
    Histogram h = m.latency();
    assertEquals(1000, h.getTotalCount());
    assertEquals(1000, m.messages());
    // microseconds, within HdrHistogram's three significant digits
    assertEquals(500_000, h.getValueAtPercentile(50), 500);
    assertEquals(990_000, h.getValueAtPercentile(99), 1000);
    assertEquals(999_000, h.getValueAtPercentile(99.9), 1000);
  }

  @Test
  void aHopIsTheTimeSinceTheTokensPreviousHop() {
    Meter m = new Meter(2);
    m.start(0);
    m.hop(0);
    m.hop(1); // never started: counted, not timed
    assertEquals(2, m.messages());
    assertEquals(1, m.latency().getTotalCount());
  }
}
