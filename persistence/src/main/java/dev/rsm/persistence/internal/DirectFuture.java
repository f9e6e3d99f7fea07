package dev.rsm.persistence.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;

/**
 * INTERNAL API. Pekko's Java {@code ask} returns Scala's {@code CompletableFuture} adapter, which
 * turns every callback registered on it ({@code thenApply}, {@code whenComplete}, ...) into its
 * {@code *Async} form on the common {@code ForkJoinPool}; on a machine with fewer than three cores
 * that pool has a parallelism of one, and {@code CompletableFuture} then starts a new thread for
 * every callback, which under load is hundreds of threads a second. This completes a plain {@code CompletableFuture} on the thread that completes the ask instead, so
 * callers' callbacks run there, as they would on any other {@code CompletableFuture}.
 */
public final class DirectFuture {
  private DirectFuture() {}

  public static <T> CompletableFuture<T> of(CompletionStage<T> stage) {
    CompletableFuture<T> direct = new CompletableFuture<>();
    FutureConverters.asScala(stage).onComplete(result -> {
      if (result.isSuccess()) direct.complete(result.get());
      else direct.completeExceptionally(result.failed().get());
      return null;
    }, ExecutionContext.parasitic$.MODULE$);
    return direct;
  }
}
