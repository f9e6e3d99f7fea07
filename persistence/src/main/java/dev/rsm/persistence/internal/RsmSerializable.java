package dev.rsm.persistence.internal;

/**
 * INTERNAL API. Marker for every message, event and snapshot of the runtime; bound to Pekko's
 * {@code jackson-cbor} serializer in {@code reference.conf}. User inputs, states and replies inside
 * them are written with their class name ({@link Payload}), so users never write serializers.
 */
public interface RsmSerializable {}
