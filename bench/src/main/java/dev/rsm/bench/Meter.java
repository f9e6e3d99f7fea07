package dev.rsm.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts delivered messages and measures per-hop latency. A message travels as a token through a
 * series of hops; {@link #hop} is called when hop {@code n} of token {@code t} is durable, and the
 * latency of that hop is the time since the previous hop of the same token was durable (or since
 * the token was handed to the system, {@link #start}). Hops of one token happen one after the other,
 * so per-token timestamps need no locking beyond the atomic array. Latencies go to an HdrHistogram
 * {@link Recorder} in microseconds, three significant digits (0.1 %), recorded from any thread
 * without locks.
 */
final class Meter {
  private final LongAdder messages = new LongAdder();
  private final Recorder latency = new Recorder(3);
  private final AtomicLongArray lastNanos;

  Meter(int tokens) {
    this.lastNanos = new AtomicLongArray(tokens);
  }

  /** Token {@code t} was handed to the system now. */
  void start(int t) {
    lastNanos.set(t, System.nanoTime());
  }

  /** One message of token {@code t} was made durable at its receiver now. */
  void hop(int t) {
    long now = System.nanoTime();
    long before = lastNanos.getAndSet(t, now);
    messages.increment();
    if (before != 0) record(now - before);
  }

  /** One message made durable {@code nanos} after it was handed over (no token chain). */
  void delivered(long nanos) {
    messages.increment();
    record(nanos);
  }

  private void record(long nanos) {
    latency.recordValue(Math.max(0, nanos / 1000));
  }

  /** Many messages at once, without latency (the db workload). */
  void add(long n) {
    messages.add(n);
  }

  long messages() {
    return messages.sum();
  }

  /**
   * The latencies (µs) recorded since {@link #reset}. Reading them starts a new interval, so it is
   * read once, at the end of the measured window.
   */
  Histogram latency() {
    return latency.getIntervalHistogram();
  }

  /** Starts the measured window: forgets what the warm-up recorded. */
  void reset() {
    messages.reset();
    latency.reset();
  }
}
