package dev.rsm.persistence;

/**
 * A machine did not answer a state read ({@link Machines#state}) because it may not answer now:
 * {@link #reason()} says why (on Cluster Sharding with leases: its node does not hold the lease of
 * its shard, {@link IngressResult.Unavailable.Reason#NOT_LEASED}). Retry; HTTP answers 503.
 */
public final class MachineUnavailableException extends RuntimeException {
  private final IngressResult.Unavailable.Reason reason;

  public MachineUnavailableException(IngressResult.Unavailable.Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public IngressResult.Unavailable.Reason reason() {
    return reason;
  }
}
