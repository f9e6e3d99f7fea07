package dev.rsm.persistence.machines;

/** A reply class that no machine type declares: {@link Shop} replying with it is refused. */
public record Stray(String why) {}
