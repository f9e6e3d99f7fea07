package dev.rsm.persistence.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * INTERNAL API. Idempotency key → recorded reply, oldest first. Bounded by size and by age, where
 * age is measured in <em>recorded</em> step time, so eviction is deterministic and replay evicts
 * exactly what the live run evicted. Holds no map until a first key (most machines never see one).
 */
final class IdempotencyCache {
  /**
   * A key's recorded reply and step time, and a fingerprint of the input it came with (a hash of
   * the input's journal encoding; 0 when unknown, for keys from snapshots written before it was
   * kept): a key reused with another input is refused, not answered with this reply.
   */
  record Entry(Object reply, long time, long fingerprint) {}

  private LinkedHashMap<String, Entry> entries;
  // Transient: keys forgotten to stay within max-keys before their retention ran out (only with
  // idempotency.when-full = evict-oldest, or after max-keys was lowered), for the WARN.
  long evictedEarly;

  Entry get(String key) {
    return entries == null ? null : entries.get(key);
  }

  int size() {
    return entries == null ? 0 : entries.size();
  }

  /** The recorded time of the oldest key, or {@code Long.MAX_VALUE} without keys. */
  long oldestTime() {
    return entries == null || entries.isEmpty() ? Long.MAX_VALUE : entries.values().iterator().next().time();
  }

  void forEach(BiConsumer<String, Entry> action) {
    if (entries != null) entries.forEach(action);
  }

  /** Puts back an entry of a snapshot, in the snapshot's (oldest first) order. */
  void restore(String key, Entry entry) {
    if (entries == null) entries = new LinkedHashMap<>();
    entries.put(key, entry);
  }

  void put(String key, Object reply, long time, long fingerprint, int maxKeys, long retentionMillis) {
    restore(key, new Entry(reply, time, fingerprint));
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> oldest = it.next();
      boolean expired = oldest.getValue().time() < time - retentionMillis;
      if (entries.size() > maxKeys || expired) {
        if (!expired) evictedEarly++;
        it.remove();
      } else break;
    }
  }
}
