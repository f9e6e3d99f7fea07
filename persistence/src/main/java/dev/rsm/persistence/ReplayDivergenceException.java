package dev.rsm.persistence;

/**
 * Recovery found that a handler no longer produces the outputs its journal holds: the code changed
 * in a way that would silently rewrite history. The machine does not start. Fix the handler (or
 * version the change), or set {@code rsm.persistence.adopt-journaled-outputs = on} to keep the
 * journaled outputs and continue with the recomputed state.
 */
public final class ReplayDivergenceException extends RuntimeException {
  private final String machine;
  private final long seqNr;

  public ReplayDivergenceException(String machine, long seqNr, String difference) {
    super("replay divergence in machine " + machine + " at sequence number " + seqNr + ": "
        + difference);
    this.machine = machine;
    this.seqNr = seqNr;
  }

  public String machine() {
    return machine;
  }

  public long seqNr() {
    return seqNr;
  }
}
