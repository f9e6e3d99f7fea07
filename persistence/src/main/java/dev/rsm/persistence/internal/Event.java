package dev.rsm.persistence.internal;

/** INTERNAL API. The journal events of a machine. */
public sealed interface Event extends RsmSerializable permits StepTaken, StepsTaken {}
