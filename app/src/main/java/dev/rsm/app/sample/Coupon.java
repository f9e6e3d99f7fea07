package dev.rsm.app.sample;

/**
 * A reply defined outside the machine that gives it out ({@link Shop}): a node reads it from the
 * journal and from other nodes only because {@code Shop.TYPE} declares it.
 */
public record Coupon(String code, int percentOff) {}
