package dev.rsm.bench;

/**
 * Where a token goes next: a deterministic pseudo-random machine other than the current one, so
 * tokens spread over every pair of machines (many channels) and handlers stay pure.
 */
final class Route {
  private Route() {}

  static int next(int token, long hop, int self, int machines) {
    if (machines == 1) return 0;
    int n = pick(token, hop, machines - 1);
    return n >= self ? n + 1 : n; // skips self
  }

  /** A deterministic pseudo-random number in {@code [0, n)} for {@code (a, b)}. */
  static int pick(long a, long b, int n) {
    long x = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
    x ^= x >>> 31;
    x *= 0xBF58476D1CE4E5B9L;
    x ^= x >>> 29;
    return (int) Math.floorMod(x, (long) n);
  }

  static int index(String id) {
    return Integer.parseInt(id.substring(id.indexOf('-') + 1));
  }

  /** A payload of {@code bytes} ASCII characters (one byte each in CBOR). */
  static String payload(int bytes) {
    return "x".repeat(bytes);
  }
}
