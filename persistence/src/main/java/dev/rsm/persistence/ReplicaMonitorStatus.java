package dev.rsm.persistence;

import dev.rsm.actors.Address;
import java.util.List;

/**
 * What the replica monitor has seen so far (see {@link ReplicaMonitor}).
 *
 * @param rowsRead journal rows read and checked (rows re-read while waiting for a gap count once)
 * @param stepsChecked steps re-run and compared, those of machines rebuilt from their journal included
 * @param divergences diverging steps found (one per machine: a machine is not followed after its first)
 * @param rowsBehind journal rows (by ordering) written after the last one the monitor checked in order
 * @param millisBehind how old the last row checked was when it was checked, when rows were still
 *     waiting behind it; 0 when the monitor had caught up (by the writers' clocks)
 * @param machinesHeld machines whose state the monitor holds (at most {@code max-machines})
 * @param rebuilds machines rebuilt from their journal (first seen mid-stream, or evicted and seen again)
 * @param snapshotsChecked snapshots compared with the monitor's state
 * @param unchecked rows not checked: other persistence ids (sharding's remembered entities), machine
 *     types not in the monitor's registry, rows of diverged machines
 * @param recent the latest divergences, newest last (at most 100)
 */
public record ReplicaMonitorStatus(
    long rowsRead,
    long stepsChecked,
    long divergences,
    long rowsBehind,
    long millisBehind,
    int machinesHeld,
    long rebuilds,
    long snapshotsChecked,
    long unchecked,
    List<Divergence> recent) {

  /** A step of {@code machine} whose re-run differs from its journal. */
  public record Divergence(Address machine, long seqNr, long row, String difference) {
    @Override
    public String toString() {
      return "machine " + machine + " diverged at step " + seqNr + " (journal row " + row + "): " + difference;
    }
  }

  /** One line for the log: counts and lag. */
  public String summary() {
    return stepsChecked + " steps in " + rowsRead + " rows checked, " + divergences + " divergences, "
        + snapshotsChecked + " snapshots compared, " + machinesHeld + " machines held (" + rebuilds
        + " rebuilt from their journal), " + unchecked + " rows not checked; lag " + rowsBehind + " rows, "
        + millisBehind + " ms";
  }
}
