package dev.rsm.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts delivered messages and measures per-hop latency. A message travels as a token through a
 * series of hops; {@link #hop} is called when hop {@code n} of token {@code t} is durable, and the
 * latency of that hop is the time since the previous hop of the same token was durable (or since
 * the token was handed to the system, {@link #start}). Hops of one token happen one after the other,
 * so per-token timestamps need no locking beyond the atomic array.
 */
final class Meter {
  private final LongAdder messages = new LongAdder();
  private final Histogram latency = new Histogram();
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
    if (before != 0) latency.recordNanos(now - before);
  }

  /** One message made durable {@code nanos} after it was handed over (no token chain). */
  void delivered(long nanos) {
    messages.increment();
    latency.recordNanos(nanos);
  }

  /** Many messages at once, without latency (the db workload). */
  void add(long n) {
    messages.add(n);
  }

  long messages() {
    return messages.sum();
  }

  Histogram latency() {
    return latency;
  }

  /** Starts the measured window: forgets what the warm-up recorded. */
  void reset() {
    messages.reset();
    latency.reset();
  }
}
