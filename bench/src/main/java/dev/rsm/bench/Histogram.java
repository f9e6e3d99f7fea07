package dev.rsm.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram in microseconds with about 1.5% relative precision: values below
 * 64 µs are exact, larger ones fall in one of 64 buckets per power of two. Up to ~2^40 µs.
 */
final class Histogram {
  private static final int SUB = 64; // buckets per power of two
  private static final int SHIFT = 6; // log2(SUB)
  private final AtomicLongArray counts = new AtomicLongArray(SUB * 40);

  void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    counts.incrementAndGet(index(micros));
  }

  static int index(long v) {
    if (v < SUB) return (int) v;
    int exp = 63 - Long.numberOfLeadingZeros(v) - SHIFT; // >= 0
    int sub = (int) (v >>> exp) - SUB; // 0 .. SUB-1
    return Math.min((exp + 1) * SUB + sub, SUB * 40 - 1);
  }

  /** The upper bound (µs) of the bucket at {@code i}. */
  static long upperBound(int i) {
    if (i < SUB) return i;
    int exp = i / SUB - 1;
    long sub = i % SUB;
    return ((SUB + sub + 1) << exp) - 1;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) n += counts.get(i);
    return n;
  }

  /** The {@code q} quantile in milliseconds, or NaN without samples. */
  double quantileMillis(double q) {
    long total = count();
    if (total == 0) return Double.NaN;
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= rank && seen > 0) return upperBound(i) / 1000.0;
    }
    return upperBound(counts.length() - 1) / 1000.0;
  }

  void reset() {
    for (int i = 0; i < counts.length(); i++) counts.set(i, 0);
  }
}
