package dev.rsm.testkit;

/**
 * One journaled event as stored by pekko-persistence-jdbc: whose it is, its sequence number, and
 * its serialized form (Pekko serializer id, manifest, bytes). Kept serialized so that a journal can
 * be exported and checked later by code whose classes may have changed.
 */
public record JournalRow(
    String persistenceId, long sequenceNumber, int serializerId, String manifest, byte[] payload) {}
