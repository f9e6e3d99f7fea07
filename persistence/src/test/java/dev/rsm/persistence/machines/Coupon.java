package dev.rsm.persistence.machines;

/** A reply class defined outside its machine, {@link Shop}, which declares it with withValueTypes. */
public record Coupon(String code) {}
