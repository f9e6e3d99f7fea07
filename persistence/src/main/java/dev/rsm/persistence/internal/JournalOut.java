package dev.rsm.persistence.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * INTERNAL API. Writes a journal record in {@link JournalCodec}'s binary form. Strings are {@code 0} for null, {@code (length + 1) << 1} followed by UTF-8 for a first
 * occurrence, and {@code (index << 1) | 1} for a repeat of the index-th distinct string.
 *
 * <p>A plain growable array, not a {@code ByteArrayOutputStream} (whose methods synchronize), and
 * a short linear string table: a record has a handful of distinct strings, mostly the same
 * instances (a machine's type name), so identity usually decides before {@code equals}.
 */
final class JournalOut {
  private byte[] buf;
  private int count;
  private String[] seen;
  private int seenCount;
  // Beyond a few strings (a snapshot naming many machines), a map keeps the lookups constant.
  private java.util.HashMap<String, Integer> index;
  private static final int LINEAR = 16;

  JournalOut(int size) {
    buf = new byte[Math.max(16, size)];
  }

  // Steps are written into a buffer kept per thread and copied out once at their exact size: a
  // fresh buffer per row would grow two or three times before it fitted, on every write.
  // Snapshots, rare and large, size their own.
  private static final int SCRATCH_SIZE = 1024, SCRATCH_KEPT = 64 * 1024;
  private static final ThreadLocal<JournalOut> SCRATCH = ThreadLocal.withInitial(() -> new JournalOut(SCRATCH_SIZE));
  private boolean lent;

  /** This thread's scratch buffer, or a fresh one if it is already in use further up the stack. */
  static JournalOut borrow() {
    JournalOut out = SCRATCH.get();
    if (out.lent) return new JournalOut(SCRATCH_SIZE);
    out.lent = true;
    return out;
  }

  /** Ends a use of {@link #borrow()}: the buffer is emptied for the next row on this thread. */
  void giveBack() {
    if (!lent) return;
    lent = false;
    count = 0;
    if (seen != null) Arrays.fill(seen, 0, seenCount, null);
    seenCount = 0;
    index = null;
    if (buf.length > SCRATCH_KEPT) buf = new byte[SCRATCH_SIZE];
  }

  private void ensure(int more) {
    if (count + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
  }

  void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, count);
  }

  void writeByte(int b) {
    write(b);
  }

  void writeVarLong(long v) {
    ensure(10);
    // zig-zag, so that the rare negative value (a reset clock) stays short too
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      buf[count++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    buf[count++] = (byte) z;
  }

  void writeVarInt(int v) {
    writeVarLong(v);
  }

  void writeLong(long v) {
    ensure(8);
    for (int i = 56; i >= 0; i -= 8) buf[count++] = (byte) (v >>> i);
  }

  void writeString(String s) {
    if (s == null) {
      writeVarLong(0);
      return;
    }
    int index = indexOf(s);
    if (index >= 0) {
      writeVarLong(((long) index << 1) | 1);
      return;
    }
    remember(s);
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong((long) (utf8.length + 1) << 1);
    write(utf8, 0, utf8.length);
  }

  private int indexOf(String s) {
    if (index != null) return index.getOrDefault(s, -1);
    for (int i = 0; i < seenCount; i++) if (seen[i] == s) return i;
    for (int i = 0; i < seenCount; i++) if (seen[i].equals(s)) return i;
    return -1;
  }

  private void remember(String s) {
    if (index != null) {
      index.put(s, index.size());
      return;
    }
    if (seenCount == LINEAR) {
      index = new java.util.HashMap<>(64);
      for (int i = 0; i < seenCount; i++) index.put(seen[i], i);
      index.put(s, seenCount);
      return;
    }
    if (seen == null) seen = new String[8];
    else if (seenCount == seen.length) seen = Arrays.copyOf(seen, seenCount * 2);
    seen[seenCount++] = s;
  }
}
