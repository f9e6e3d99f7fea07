package dev.rsm.persistence.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** INTERNAL API. Reads a journal record in {@link JournalCodec}'s binary form. */
final class JournalIn {
  private final byte[] buf;
  private int pos;
  private List<String> seen;

  JournalIn(byte[] buf) {
    this.buf = buf;
  }

  /** Reads the format byte: {@link JournalCodec#FORMAT}, or {@link JournalCodec#FORMAT_EFFECTS}. */
  int format() {
    int f = readByte();
    if (f != JournalCodec.FORMAT && f != JournalCodec.FORMAT_EFFECTS)
      throw new IllegalArgumentException("journal record in format " + f + ", this version of RSM reads formats "
          + JournalCodec.FORMAT + " and " + JournalCodec.FORMAT_EFFECTS + " (written by a newer version?)");
    return f;
  }

  boolean more() {
    return pos < buf.length;
  }

  void end() {
    if (pos != buf.length)
      throw new IllegalArgumentException((buf.length - pos) + " unexpected bytes after a journal record");
  }

  int readByte() {
    if (pos >= buf.length) throw new IllegalArgumentException("truncated journal record");
    return buf[pos++] & 0xFF;
  }

  long readVarLong() {
    long z = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 63) throw new IllegalArgumentException("malformed number in a journal record");
      int b = readByte();
      z |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    return (z >>> 1) ^ -(z & 1);
  }

  int readCount() {
    long n = readVarLong();
    if (n < 0 || n > buf.length - pos)
      throw new IllegalArgumentException("malformed count " + n + " in a journal record");
    return (int) n;
  }

  long readLong() {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | readByte();
    return v;
  }

  byte[] readBytes(int n) {
    byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return b;
  }

  String readString() {
    long v = readVarLong();
    if (v == 0) return null;
    if (seen == null) seen = new ArrayList<>(8);
    if ((v & 1) == 1) {
      long index = v >>> 1;
      if (index >= seen.size())
        throw new IllegalArgumentException("malformed string reference in a journal record");
      return seen.get((int) index);
    }
    int len = (int) ((v >>> 1) - 1);
    if (len < 0 || len > buf.length - pos)
      throw new IllegalArgumentException("malformed string length in a journal record");
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    seen.add(s);
    return s;
  }
}
