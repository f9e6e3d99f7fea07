package dev.rsm.persistence;

import dev.rsm.actors.Address;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The way in from outside: send one input to a machine and get its reply, or read its state. The
 * same API whether machines run in this JVM ({@link LocalRuntime}) or across a cluster.
 *
 * <h2>Exactly once from outside</h2>
 *
 * An input sent with an idempotency key is handled at most once per key: a repeated key, also after
 * a crash and on another node, gets the recorded reply ({@link IngressResult.Replied#duplicate()}
 * true) and changes nothing. A caller that retries with the same key until it gets a reply
 * therefore gets exactly-once within the key's retention ({@code
 * rsm.persistence.idempotency.retention}); a key that comes back after it is handled again. A
 * machine remembers at most {@code .max-keys} keys: a new key beyond them is refused ({@link
 * IngressResult.TooManyKeys}) rather than forgetting one early. An input sent without a key is
 * handled at most once per call.
 *
 * <h2>Threads</h2>
 *
 * The answers are plain {@code CompletableFuture}s: a callback registered without an executor
 * ({@code thenApply}, {@code whenComplete}, ...) runs on the thread that completes the answer, a
 * Pekko dispatcher thread, so it must not block; give blocking work an executor of its own with the
 * {@code *Async} variants.
 */
public interface Machines {

  /** The machine types this runtime hosts. */
  MachineRegistry registry();

  /**
   * Sends {@code input} to the machine at {@code to}.
   *
   * @param idempotencyKey the caller's key for this input, or null
   * @return the outcome; completes exceptionally with a timeout if the machine does not answer in
   *     {@code timeout} (the input may or may not have been handled: retry with the same key)
   * @throws MachineRegistry.UnknownMachineTypeException if {@code to.type()} is not hosted
   */
  CompletionStage<IngressResult> ask(Address to, String idempotencyKey, Object input, Duration timeout);

  /** Same as {@link #ask(Address, String, Object, Duration)} with {@code rsm.persistence.ask-timeout}. */
  CompletionStage<IngressResult> ask(Address to, String idempotencyKey, Object input);

  /**
   * Reads the machine's state, recovering it if needed. A machine that has never taken a step is
   * not started: the answer is its type's initial state with {@code seqNr} 0. Completes
   * exceptionally with a timeout if the machine does not answer in {@code timeout}, and with
   * {@link MachineUnavailableException} if it may not answer now (its node does not hold its
   * shard's lease): a read never shows a state another node may have moved past.
   */
  CompletionStage<MachineView> state(Address of, Duration timeout);

  CompletionStage<MachineView> state(Address of);
}
