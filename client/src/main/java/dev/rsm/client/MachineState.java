package dev.rsm.client;

/**
 * A machine's state as its node read it ({@code GET /machines/{type}/{id}}).
 *
 * @param type the machine type's name
 * @param id the machine's id
 * @param state the state, read as the machine type's state class
 * @param seqNr the number of steps the machine has taken; 0 for one that never took a step
 * @param unackedOutputs messages it sent that their receivers have not acknowledged yet
 * @param armedTimers its durable timers that have not fired
 * @param attempts how many requests the read took
 */
public record MachineState<S>(String type, String id, S state, long seqNr, int unackedOutputs, int armedTimers,
    int attempts) {}
