package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import java.util.function.BooleanSupplier;

/**
 * INTERNAL API. Whether this node may answer for a machine now. On Cluster Sharding with leases, a
 * machine may only while its node holds the lease of the machine's shard with time to spare; a
 * machine that may not answers nothing: no read, no reply, no write (see MachineBehavior).
 */
@FunctionalInterface
public interface Tenure {
  /** Every machine, always: a single node, or sharding without leases. */
  Tenure ALWAYS = machine -> () -> true;

  /** The check for one machine, asked before it answers anything. Cheap: asked per message. */
  BooleanSupplier of(Address machine);
}
