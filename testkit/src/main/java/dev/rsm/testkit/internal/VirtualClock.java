package dev.rsm.testkit.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * INTERNAL API. Recorded time for a scenario run: it stands still unless the run moves it, so the
 * times steps record (and the deadlines of the timers they arm) are the same in every run,
 * whatever the threads did.
 */
public final class VirtualClock extends Clock {
  private final AtomicLong millis;

  public VirtualClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** Moves the clock to {@code epochMillis}, never back. */
  public void advanceTo(long epochMillis) {
    millis.accumulateAndGet(epochMillis, Math::max);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a virtual clock is UTC only");
  }
}
