package dev.rsm.actors;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The external name of an input record, as callers write it in the {@code "type"} field of a JSON
 * request. Without this annotation the name is the record's simple name with its first letter in
 * lower case ({@code Deposit} is {@code "deposit"}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface InputName {
  String value();
}
