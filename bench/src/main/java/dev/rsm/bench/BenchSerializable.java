package dev.rsm.bench;

/** Marker of the baseline workloads' messages and events: Jackson CBOR, as RSM's own. */
public interface BenchSerializable {}
