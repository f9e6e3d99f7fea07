package dev.rsm.persistence.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * INTERNAL API. Idempotency key → recorded reply, oldest first. Bounded by size and by age, where
 * age is measured in <em>recorded</em> step time, so eviction is deterministic and replay evicts
 * exactly what the live run evicted.
 */
final class IdempotencyCache {
  record Entry(Object reply, long time) {}

  final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  Entry get(String key) {
    return entries.get(key);
  }

  void put(String key, Object reply, long time, int maxKeys, long retentionMillis) {
    entries.put(key, new Entry(reply, time));
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> oldest = it.next();
      if (entries.size() > maxKeys || oldest.getValue().time() < time - retentionMillis) it.remove();
      else break;
    }
  }
}
