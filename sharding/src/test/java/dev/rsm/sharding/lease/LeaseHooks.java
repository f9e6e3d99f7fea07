package dev.rsm.sharding.lease;

import org.apache.pekko.actor.typed.ActorSystem;

/** Tests in other packages: {@link LeaseStore}'s test hooks on a node. */
public final class LeaseHooks {
  private LeaseHooks() {}

  /** While held, the node renews none of its leases: each is lost when its belief runs out. */
  public static void holdRenewals(ActorSystem<?> node, boolean hold) {
    LeaseStore.get(node.classicSystem()).holdRenewals(hold);
  }
}
