/*
 * RSM's exactly-once protocol as a Promela model (issue 21). Checked by spin, exhaustively,
 * within the bounds below; spec/README.md says how to run it, docs/design.md ("The protocol as a
 * checked model") what each part stands for in the runtime.
 *
 * Two machines, A and B. A's caller sends A two inputs (idempotency keys 1 and 2), B's caller
 * one (key 1). Each external input makes its machine send one message to the other: channel
 * A->B carries 2 messages, B->A 1. A's key 1 arms a durable timer, its key 2 re-arms it (a new
 * generation), so a firing of generation 1 may arrive stale. B may run a second incarnation next
 * to its first (a split brain). Every step is one journal row, written atomically.
 *
 * Defects, one -D each (the correct model is the one without):
 *   BUG_WAKE_WITHOUT_FENCE        waking from hibernation trusts the held state without
 *                                 comparing the journal's highest sequence number
 *   BUG_DROP_OVER_LIMIT_UNACKED   a machine over max-unacked drops deliveries unacknowledged
 *   BUG_REUSE_SEQ_AFTER_LOST_STEP a duplicate of message hw is acknowledged without comparing its
 *                                 content, so a number reused after a lost step is dropped unseen
 *   BUG_NO_DEDUP                  no deduplication: a repeated key or sequence number is handled
 * Configurations: NO_LEASE (leases off: only the journal's fence), LOSSY_STORE (A's store loses
 * its last acknowledged row once, on a crash: a misconfigured store), LIVENESS (the ltl claim),
 * REACH=x (fail at coverage point x), and each bound below. The suite's checks and their flags:
 * spec/src/test/java/dev/rsm/spec/ProtocolModelTest.java.
 */

/* ---------------------------------------------------------------- bounds */
#ifndef MAXUNACKED
#define MAXUNACKED 1   /* delivery.max-unacked: at the limit with one output unacknowledged */
#endif
#ifndef CRASHES
#define CRASHES    2   /* crashes of any incarnation, at any point */
#endif
#ifndef LOSSES
#define LOSSES     1   /* messages, acknowledgements or replies lost */
#endif
#ifndef REORDERS
#define REORDERS   1   /* deliveries taken out of order */
#endif
#ifndef HIBERNATES
#define HIBERNATES 1   /* hibernations */
#endif
#ifndef EXPIRIES
#define EXPIRIES   1   /* lease beliefs that run out (a frozen or cut-off node) */
#endif
#ifndef SECOND
#define SECOND     1   /* B's second incarnation: started at most this often */
#endif
#ifdef LOSSY_STORE
#define LOSTROWS   1
#else
#define LOSTROWS   0
#endif
#define JMAX 7         /* rows per journal: more than any run of the correct model writes */
#define SMAX 2         /* messages per channel */

/* ---------------------------------------------------------------- coverage
 * The checks are not vacuous only if the paths they guard are taken. COVER(x) marks one; built
 * with -DREACH=x it fails there, so a search that finds it shows the path reachable.         */
#define FENCED 1              /* a write refused by the journal's primary key */
#define GAP 2                 /* a delivery after a missing one, dropped */
#define DUPLICATE 3           /* a delivery handled before, acknowledged again */
#define REFUSED 4             /* a reused number with other content, refused */
#define KEY_REPEATED 5        /* a repeated idempotency key answered from the cache */
#define STALE_FIRING 6        /* a firing of an older timer generation, ignored */
#define ACK_BEYOND_JOURNAL 7  /* an Ack for more than the sender's journal numbers, ignored */
#define WOKE_STALE 8          /* a woken held state that another incarnation wrote past */
#define LEASE_RELOAD 9        /* an incarnation whose lease was taken meanwhile, reloaded */
#define OVERLOADED_HANDLES 10 /* a delivery handled by a machine at max-unacked */
#ifdef REACH
#define COVER(x) assert(REACH != x)
#else
#define COVER(x) skip
#endif

/* ---------------------------------------------------------------- marks
 * A row's origin is its deduplication mark (Origin.java): External(key), Channel(seq),
 * Timer(generation). The content of a message is the mark of the step that sent it.         */
#define EXT(k) (16 + (k))
#define CH(n)  (32 + (n))
#define TMR(g) (48 + (g))
#define KIND(x) ((x) / 16)
#define VAL(x)  ((x) % 16)
#define DISARM 15      /* a row's timer op when the firing's step removes the armed timer */

/* ---------------------------------------------------------------- the journal
 * One per machine (persistence id rsm|type|id), shared by its incarnations. Row k holds the
 * step's origin mark, the content of the channel message it handled (0 else), the message it
 * sent (0 none; numbered on its channel by its position among the row's sends), and its timer op
 * (0 none, a generation armed, or DISARM). MachineBehavior.write appends a row; the primary key
 * (persistence_id, sequence_number) lets an append at position wpos+1 succeed only if the
 * journal has exactly wpos rows.                                                              */
typedef Journal { byte rows; byte mark[JMAX]; byte cont[JMAX]; byte send[JMAX]; byte tmr[JMAX] };
Journal J[2];

/* ---------------------------------------------------------------- an incarnation's memory
 * RuntimeState: what replaying the journal gave it, changed by each step it takes, and
 * transient delivery state (OutChannel, Sender).                                              */
#define DOWN  0
#define AWAKE 1
#define HIB   2        /* MachineActor holds the state; the event-sourced stack is dropped */
typedef Mem {
  byte phase;
  byte ver;            /* journal rows its state was computed from (RuntimeState.seqNr) */
  byte wpos;           /* rows its event-sourced stack believes written: next write at wpos+1 */
  byte hw; byte hwc;   /* inbound channel: high-water mark, content of message hw (Receiver) */
  byte last; byte acked; byte out[SMAX + 1]; /* outbound: OutChannel.lastSeq, .acked, .unacked */
  byte keys;           /* idempotency keys handled, a bit each (IdempotencyCache) */
  byte tgen; byte tmax;/* the armed timer's generation (0 none), the highest used */
  byte tf;             /* a timer firing in the mailbox: its generation (DurableTimers) */
  byte tok;            /* the lease token its state was loaded under */
};
Mem M[3];              /* incarnation 0 is A; 1 is B; 2 is B's second incarnation */
#define MACH(i) ((i) > 0)
#define PEER(i) (1 - MACH(i))
#define DEAD 3        /* an incarnation that died: its actor reference leads to dead letters */
#define NAME(i) (65 + MACH(i)), (i)   /* for printf: A0, B1, B2 (a replayed trail says what happens) */

/* ---------------------------------------------------------------- the transport
 * W[c] carries machine c's messages to 1-c (Deliver) and their acknowledgements back (Ack).
 * msg[n] is the content of message n in flight (0 none), by[n] the incarnation that sent it
 * (Deliver.ackTo): a message is in flight at most once, duplicates come from resends. An Ack is
 * cumulative and goes to the incarnation that sent what it acknowledges: one slot, latest wins. */
typedef Chan { byte msg[SMAX + 1]; byte by[SMAX + 1]; bool ack; byte ackTo; byte ackUp; byte ackHw };
Chan W[2];

/* ---------------------------------------------------------------- callers
 * req[m]: keys whose request is in machine m's mailbox; replied[m]: keys whose caller got the
 * reply. A caller retries with its key until it gets a reply (the HTTP ingress).            */
byte req[2]; byte replied[2];

/* ---------------------------------------------------------------- the lease of B's shard
 * JdbcLease and Tenure: the database's owner and fencing token, each incarnation's belief.
 * A belief ends before the database frees the row (the safety margin).                      */
byte owner; byte token; byte lastOwner; bool bel[3];
#ifdef NO_LEASE
#define MAY(i) true
#else
#define MAY(i) ((i) == 0 || bel[i])     /* Tenancy.holds: A has no rival, so no lease modelled */
#endif

/* fault budgets: finite, so every run ends with the faults stopped */
byte crashes = CRASHES; byte losses = LOSSES; byte reorders = REORDERS;
byte hibernates = HIBERNATES; byte expiries = EXPIRIES; byte lostrows = LOSTROWS;
byte secondStarted;

/* what the journals say was sent and handled (functions of J), for the properties */
byte dsent[2]; byte dhw[2]; byte darmed;

#define UNACKED(i) (M[i].last - M[i].acked)
#define OVERLOADED(i) (UNACKED(i) >= MAXUNACKED)          /* Admission.overloaded */
/* the step being taken, from the handler to its row: scratch, never part of a state */
hidden byte pmark; hidden byte pcont; hidden byte psend; hidden byte ptmr; hidden byte pto;

/* ---------------------------------------------------------------- properties
 * exactly_once       every input handled once: each journal is a sequence of distinct marks
 * fifo               a channel's messages are journaled in their order (hw grows by one)
 * linear_history     a step is journaled only on the journal's latest state
 * acked_was_handled  an output leaves its sender's outbox only once its receiver journaled it
 * reply_durable,     nothing leaves before its step is written: a reply, a send
 *   send_durable
 * no_stale_read      an incarnation that believes it holds the lease reads the latest state
 * every_message_handled (ltl, below) once faults stop, every request is answered, every message
 *                    sent is handled and the armed timer fires: no deadlock                   */
hidden byte found;
/* each assertion is on a variable named after its property, so a counterexample names it */
hidden byte exactly_once, fifo, linear_history, acked_was_handled, reply_durable, send_durable,
            no_stale_read;

/* Whether machine m's journal holds a row with mark mk (and content c, when c != 0). */
inline journaled(m, mk, c) {
  d_step {
    q = 0; found = 0;
    do
    :: q < J[m].rows -> if :: J[m].mark[q] == mk && (c == 0 || J[m].cont[q] == c) -> found = 1 :: else fi; q++
    :: else -> break
    od;
    q = 0
  }
}

/* Recovery: Pekko's replay through RuntimeState.apply, so the state is a function of the
 * journal. Acks are not journaled: every output counts as unacknowledged and is resent
 * (Sender.resendAll), and every armed timer is re-armed.                                     */
inline recover(i) {
  d_step {
    mm = MACH(i);
    M[i].ver = J[mm].rows; M[i].wpos = J[mm].rows; M[i].hw = 0; M[i].hwc = 0; M[i].last = 0;
    M[i].acked = 0; M[i].out[1] = 0; M[i].out[2] = 0; M[i].keys = 0; M[i].tgen = 0; M[i].tmax = 0;
    M[i].tf = 0; M[i].tok = (i > 0 -> token : 0);
    q = 0;
    do
    :: q < J[mm].rows ->
       if
       :: KIND(J[mm].mark[q]) == 1 -> M[i].keys = M[i].keys | (1 << VAL(J[mm].mark[q]))
       :: KIND(J[mm].mark[q]) == 2 -> M[i].hw = VAL(J[mm].mark[q]); M[i].hwc = J[mm].cont[q]
       :: else
       fi;
       if
       :: J[mm].send[q] != 0 -> M[i].last++; M[i].out[M[i].last] = J[mm].send[q]
       :: else
       fi;
       if
       :: J[mm].tmr[q] == DISARM -> M[i].tgen = 0
       :: J[mm].tmr[q] != 0 && J[mm].tmr[q] != DISARM -> M[i].tgen = J[mm].tmr[q]; M[i].tmax = J[mm].tmr[q]
       :: else
       fi;
       q++
    :: else -> break
    od;
    q = 0; mm = 0
  }
}

/* A step (StepTaker.take with StepRecorder): the user's handler, deterministic. An external
 * input sends one message (its content is the step's mark); on A it also (re-)arms the timer
 * with a new generation. A channel message or a timer firing sends nothing. RuntimeState.apply
 * changes the memory, `append` writes the row: one atomic action here, since a crash between
 * the two loses the memory and the input, as a crash before the step and a lost message do.  */
inline take(i, mk, c, to) {
  pmark = mk; pcont = c; psend = 0; ptmr = 0; pto = to;
  if
  :: KIND(mk) == 1 ->
     M[i].keys = M[i].keys | (1 << VAL(mk));
     psend = mk; M[i].last++; M[i].out[M[i].last] = mk;
     if
     :: MACH(i) == 0 -> M[i].tmax++; M[i].tgen = M[i].tmax; ptmr = M[i].tmax
     :: else
     fi
  :: KIND(mk) == 2 -> M[i].hw = VAL(mk); M[i].hwc = c
  :: KIND(mk) == 3 -> M[i].tgen = 0; ptmr = DISARM
  fi;
  append(i)
}

/* Drops an incarnation's memory: a crash, a fenced write, a lease taken meanwhile. */
inline stop(i) {
  M[i].phase = DOWN; M[i].tf = 0
}

/* MachineBehavior.write: the row is appended if its primary key is free; else the write fails
 * and the incarnation stops (its next start recovers from the journal). Only after the append
 * do the step's acknowledgement and reply leave (StepTaker.release); its send leaves through
 * `transmit`.                                                                                */
inline append(i) {
  mm = MACH(i);
  if
  :: J[mm].rows == M[i].wpos ->
     if
     :: KIND(pmark) == 1 && psend != 0 -> printf("%c%d: journals row %d: key %d, sending #%d\n", NAME(i), J[mm].rows + 1, VAL(pmark), M[i].last)
     :: KIND(pmark) == 2 -> printf("%c%d: journals row %d: message #%d\n", NAME(i), J[mm].rows + 1, VAL(pmark))
     :: KIND(pmark) == 3 -> printf("%c%d: journals row %d: timer generation %d fires\n", NAME(i), J[mm].rows + 1, VAL(pmark))
     :: else
     fi;
     assert(J[mm].rows < JMAX);                        /* the bound, not a property */
     linear_history = (M[i].ver == J[mm].rows); assert(linear_history);
     journaled(mm, pmark, 0);
     exactly_once = !found; assert(exactly_once);
     if
     :: KIND(pmark) == 2 -> fifo = (VAL(pmark) == dhw[mm] + 1); assert(fifo)
     :: else
     fi;
     J[mm].mark[J[mm].rows] = pmark; J[mm].cont[J[mm].rows] = pcont;
     J[mm].send[J[mm].rows] = psend; J[mm].tmr[J[mm].rows] = ptmr;
     J[mm].rows++; M[i].wpos++; M[i].ver++;
     if :: psend != 0 -> dsent[mm]++ :: else fi;
     if :: KIND(pmark) == 2 -> dhw[mm] = VAL(pmark) :: else fi;
     if :: mm == 0 && ptmr == DISARM -> darmed = 0
        :: mm == 0 && ptmr != 0 && ptmr != DISARM -> darmed = ptmr
        :: else fi;
     if
     :: KIND(pmark) == 2 && pto != DEAD ->
        W[PEER(i)].ack = 1; W[PEER(i)].ackTo = pto; W[PEER(i)].ackUp = M[i].hw; W[PEER(i)].ackHw = M[i].hw
     :: KIND(pmark) == 1 -> replied[mm] = replied[mm] | (1 << VAL(pmark))
     :: else
     fi;
     pmark = 0; pcont = 0; psend = 0; ptmr = 0; pto = 0
  :: else -> COVER(FENCED); stop(i);                  /* fenced by the primary key */
     printf("%c%d: its write is refused by the primary key (the journal has %d rows, not %d): stops\n", NAME(i), J[mm].rows, M[i].wpos)
  fi;
  mm = 0
}

/* ---------------------------------------------------------------- an incarnation */
proctype Incarnation(byte i) {
  byte n; byte c; byte up; byte q; byte mm;
end:                   /* waiting for input is a valid end state */
  do
  /* start: sharding starts the machine (B's second incarnation at most once), recovering it */
  :: atomic { M[i].phase == DOWN && (i != 2 || secondStarted < SECOND) ->
       if :: i == 2 -> secondStarted++ :: else fi;
       recover(i); M[i].phase = AWAKE; printf("%c%d: starts from the journal's %d rows\n", NAME(i), M[i].ver) }

  /* Receiver.classify, MachineBehavior.onDeliver: the lowest message in flight (or, REORDERS
   * times, another); an Ack already in the mailbox is taken first. Only an incarnation that
   * holds the lease answers (Tenancy.refused).                                               */
  :: atomic { M[i].phase == AWAKE && MAY(i) && !(W[MACH(i)].ack && W[MACH(i)].ackTo == i) &&
       (W[PEER(i)].msg[1] != 0 || W[PEER(i)].msg[2] != 0) ->
       if
       :: W[PEER(i)].msg[1] != 0 -> n = 1
       :: W[PEER(i)].msg[1] == 0 -> n = 2
       :: reorders > 0 && W[PEER(i)].msg[1] != 0 && W[PEER(i)].msg[2] != 0 -> reorders--; n = 2
       fi;
       c = W[PEER(i)].msg[n]; up = W[PEER(i)].by[n]; W[PEER(i)].msg[n] = 0; W[PEER(i)].by[n] = 0;
       if
#ifdef BUG_DROP_OVER_LIMIT_UNACKED
       :: OVERLOADED(i) -> printf("%c%d: drops #%d, over max-unacked\n", NAME(i), n) /* not acknowledged */
       :: !OVERLOADED(i) && n == M[i].hw + 1 -> take(i, CH(n), c, up)
       :: !OVERLOADED(i) && n > M[i].hw + 1 -> skip
#else
       :: n == M[i].hw + 1 ->                          /* handled even when overloaded */
          if :: OVERLOADED(i) -> COVER(OVERLOADED_HANDLES) :: else fi; take(i, CH(n), c, up)
       :: n > M[i].hw + 1 -> COVER(GAP);               /* a gap: dropped, resent in order */
          printf("%c%d: drops #%d, a gap\n", NAME(i), n)
#endif
#ifdef BUG_NO_DEDUP
       :: n <= M[i].hw -> take(i, CH(n), c, up)
#else
#ifdef BUG_REUSE_SEQ_AFTER_LOST_STEP
       :: n <= M[i].hw ->
#else
       :: n == M[i].hw && c != M[i].hwc -> COVER(REFUSED); /* a reused number: refused (sameAsHandled) */
          printf("%c%d: refuses #%d: the number it handled, other content\n", NAME(i), n)
       :: n <= M[i].hw && (n < M[i].hw || c == M[i].hwc) ->
#endif
          COVER(DUPLICATE); printf("%c%d: acknowledges #%d again, a duplicate\n", NAME(i), n); /* not handled */
          if
          :: up != DEAD -> W[PEER(i)].ack = 1; W[PEER(i)].ackTo = up; W[PEER(i)].ackHw = M[i].hw;
                           W[PEER(i)].ackUp = (n == M[i].hw -> M[i].hw : M[i].hw - 1)
          :: else                                                         /* to dead letters */
          fi
#endif
       fi;
       n = 0; c = 0; up = 0 }

  /* MachineBehavior.onIngress, Admission: a repeated key gets its recorded reply; over
   * max-unacked a new request waits (the caller's 503 and retry)                             */
  :: atomic { M[i].phase == AWAKE && MAY(i) &&
       (((req[MACH(i)] & 2) && ((M[i].keys & 2) || !OVERLOADED(i))) ||
        ((req[MACH(i)] & 4) && ((M[i].keys & 4) || !OVERLOADED(i)))) ->
       if
       :: (req[MACH(i)] & 2) && ((M[i].keys & 2) || !OVERLOADED(i)) -> n = 1
       :: (req[MACH(i)] & 4) && ((M[i].keys & 4) || !OVERLOADED(i)) -> n = 2
       fi;
       req[MACH(i)] = req[MACH(i)] & ~(1 << n);
       if
#ifndef BUG_NO_DEDUP
       :: M[i].keys & (1 << n) ->
          COVER(KEY_REPEATED); printf("%c%d: answers key %d from its cache\n", NAME(i), n); journaled(MACH(i), EXT(n), 0); reply_durable = found; assert(reply_durable); found = 0;
          replied[MACH(i)] = replied[MACH(i)] | (1 << n)
#endif
       :: else -> take(i, EXT(n), 0, 0)
       fi;
       n = 0 }

  /* MachineBehavior.onTimer: a stale generation is ignored; over max-unacked the firing waits */
  :: atomic { M[i].phase == AWAKE && MAY(i) && M[i].tf != 0 &&
       (M[i].tf != M[i].tgen || !OVERLOADED(i)) ->
       if
       :: M[i].tf != M[i].tgen -> COVER(STALE_FIRING); printf("%c%d: ignores a stale firing (generation %d)\n", NAME(i), M[i].tf)
       :: else -> take(i, TMR(M[i].tf), 0, 0)
       fi;
       M[i].tf = 0 }

  /* DurableTimers: the armed timer's firing reaches the mailbox (a re-armed timer's older
   * firing may be there still: it is stale by generation); hibernated, the first timer's
   * firing is the one message scheduled (wakeForFirst)                                       */
  :: atomic { M[i].phase != DOWN && M[i].tgen != 0 && M[i].tf == 0 -> M[i].tf = M[i].tgen }

  /* the journal write of the step taken (Tenancy.checkBeforeWrite: within the belief) */

  /* transmit: Sender.sendWindow and onResendTick. A written, unacknowledged output that is not
   * in flight goes on the wire, the lowest first; an Ack already in the mailbox is taken first */
  :: atomic { M[i].phase == AWAKE && !(W[MACH(i)].ack && W[MACH(i)].ackTo == i) &&
       ((M[i].acked < 1 && M[i].last >= 1 && W[MACH(i)].msg[1] == 0) ||
        (M[i].acked < 2 && M[i].last >= 2 && W[MACH(i)].msg[2] == 0)) ->
       if
       :: M[i].acked < 1 && M[i].last >= 1 && W[MACH(i)].msg[1] == 0 -> n = 1
       :: else -> n = 2
       fi;
       send_durable = (n <= dsent[MACH(i)]); assert(send_durable);
       W[MACH(i)].msg[n] = M[i].out[n]; W[MACH(i)].by[n] = i; printf("%c%d: sends #%d\n", NAME(i), n); n = 0 }

  /* Sender.applyAck: cumulative; one from a receiver that handled more than this journal
   * numbers (its store lost rows) is ignored                                                 */
  :: atomic { M[i].phase == AWAKE && W[MACH(i)].ack && W[MACH(i)].ackTo == i ->
       up = W[MACH(i)].ackUp; W[MACH(i)].ack = 0;
       if
       :: W[MACH(i)].ackHw > M[i].last -> COVER(ACK_BEYOND_JOURNAL);
          printf("%c%d: ignores an Ack: its receiver handled #%d, its journal numbers %d\n", NAME(i), W[MACH(i)].ackHw, M[i].last)
       :: W[MACH(i)].ackHw <= M[i].last && up > M[i].acked ->
          if :: up > M[i].last -> up = M[i].last :: else fi;
          printf("%c%d: takes an Ack up to #%d\n", NAME(i), up);
          do
          :: M[i].acked < up ->
             M[i].acked++;
             if
             :: LOSTROWS > 0 && PEER(i) == 0 -> skip                       /* A's store may lose rows */
             :: else ->
                journaled(PEER(i), CH(M[i].acked), M[i].out[M[i].acked]);
                acked_was_handled = found; assert(acked_was_handled); found = 0
             fi
          :: else -> break
          od
       :: else
       fi;
       W[MACH(i)].ackTo = 0; W[MACH(i)].ackUp = 0; W[MACH(i)].ackHw = 0; up = 0 }

  /* an Ack for a stopped (or hibernated) incarnation goes to dead letters */
  :: atomic { W[MACH(i)].ack && M[i].phase != AWAKE && W[MACH(i)].ackTo == i ->
       W[MACH(i)].ack = 0; W[MACH(i)].ackTo = 0; W[MACH(i)].ackUp = 0; W[MACH(i)].ackHw = 0 }

#ifndef LIVENESS
  /* a read (GetState): answered only under the lease */
  :: atomic { M[i].phase == AWAKE && MAY(i) ->
#ifndef NO_LEASE
       no_stale_read = (M[i].ver == J[MACH(i)].rows); assert(no_stale_read)
#else
       skip
#endif
     }
#endif

  /* MachineActor.hibernate: idle and settled (nothing unacknowledged; steps are written at once) */
  :: atomic { M[i].phase == AWAKE && hibernates > 0 && M[i].acked == M[i].last ->
       hibernates--; M[i].phase = HIB; printf("%c%d: hibernates at row %d\n", NAME(i), M[i].wpos) }

  /* MachineActor.wake, MachineBehavior.onRecovered: an input or the first timer wakes it; the
   * held state is trusted only if the journal's highest sequence number is the one it holds  */
  :: atomic { M[i].phase == HIB && (W[PEER(i)].msg[1] != 0 || W[PEER(i)].msg[2] != 0 ||
                                    req[MACH(i)] != 0 || M[i].tf != 0) ->
#ifdef BUG_WAKE_WITHOUT_FENCE
       printf("%c%d: wakes on its state of row %d, writing after row %d\n", NAME(i), M[i].ver, J[MACH(i)].rows);
       M[i].wpos = J[MACH(i)].rows;                     /* Pekko writes after the highest seqNr */
#else
       if
       :: J[MACH(i)].rows != M[i].wpos -> COVER(WOKE_STALE); recover(i) /* another incarnation wrote */
          printf("%c%d: wakes, finds the journal moved on, recovers its %d rows\n", NAME(i), M[i].ver)
       :: else -> printf("%c%d: wakes on its held state\n", NAME(i))
       fi;
#endif
       M[i].phase = AWAKE }

  /* a crash at any point (the process dies): memory and the scheduled firing are lost, and
   * Acks addressed to this incarnation's actor go to dead letters, now or when they come     */
  :: atomic { M[i].phase != DOWN && crashes > 0 -> crashes--; stop(i); printf("%c%d: crashes\n", NAME(i));
       if :: W[MACH(i)].by[1] == i -> W[MACH(i)].by[1] = DEAD :: else fi;
       if :: W[MACH(i)].by[2] == i -> W[MACH(i)].by[2] = DEAD :: else fi;
       if :: W[MACH(i)].ack && W[MACH(i)].ackTo == i ->
             W[MACH(i)].ack = 0; W[MACH(i)].ackTo = 0; W[MACH(i)].ackUp = 0; W[MACH(i)].ackHw = 0
          :: else fi;
       if :: i == 2 -> bel[2] = 0 :: else fi }        /* the second incarnation's node is gone */
  od
}

/* ---------------------------------------------------------------- the environment */
proctype Environment() {
  byte n;
end:
  do
  /* callers: send, or retry, a request not yet answered */
  :: atomic { (replied[0] & 2) == 0 && (req[0] & 2) == 0 -> req[0] = req[0] | 2; printf("caller: retries key 1 at A\n") }
  :: atomic { (replied[0] & 4) == 0 && (req[0] & 4) == 0 -> req[0] = req[0] | 4; printf("caller: retries key 2 at A\n") }
  :: atomic { (replied[1] & 2) == 0 && (req[1] & 2) == 0 -> req[1] = req[1] | 2; printf("caller: retries key 1 at B\n") }

  /* the transport loses a message, an acknowledgement, or a reply (its caller retries) */
  :: atomic { losses > 0 && (W[0].msg[1] != 0 || W[0].msg[2] != 0 || W[1].msg[1] != 0 || W[0].ack || W[1].ack ||
                             replied[0] != 0 || replied[1] != 0) ->
       losses--;
       if
       :: W[0].msg[1] != 0 -> W[0].msg[1] = 0; W[0].by[1] = 0; printf("transport: loses A's #1\n")
       :: W[0].msg[2] != 0 -> W[0].msg[2] = 0; W[0].by[2] = 0; printf("transport: loses A's #2\n")
       :: W[1].msg[1] != 0 -> W[1].msg[1] = 0; W[1].by[1] = 0; printf("transport: loses B's #1\n")
       :: W[0].ack -> W[0].ack = 0; W[0].ackTo = 0; W[0].ackUp = 0; W[0].ackHw = 0; printf("transport: loses the Ack to A\n")
       :: W[1].ack -> W[1].ack = 0; W[1].ackTo = 0; W[1].ackUp = 0; W[1].ackHw = 0; printf("transport: loses the Ack to B\n")
       :: replied[0] & 2 -> replied[0] = replied[0] & ~2; printf("transport: loses A's reply to key 1\n")
       :: replied[0] & 4 -> replied[0] = replied[0] & ~4; printf("transport: loses A's reply to key 2\n")
       :: replied[1] & 2 -> replied[1] = replied[1] & ~2; printf("transport: loses B's reply to key 1\n")
       fi }

#ifndef NO_LEASE
  /* JdbcLease: an incarnation's node acquires a free row (the fencing token grows when the owner
   * changes, and an incarnation whose lease was taken meanwhile had its shard stopped); a belief
   * runs out; the database frees a row whose owner no longer believes it holds it           */
  :: atomic { !bel[1] && M[1].phase != DOWN && (owner == 0 || owner == 1) ->
       if :: owner == 0 && lastOwner != 0 && lastOwner != 1 -> token++ :: else fi;
       owner = 1; lastOwner = 1; bel[1] = 1; printf("lease: B1 holds it (token %d)\n", token);
       if :: M[1].tok != token -> COVER(LEASE_RELOAD); stop(1) :: else fi }
  :: atomic { !bel[2] && M[2].phase != DOWN && (owner == 0 || owner == 2) ->
       if :: owner == 0 && lastOwner != 0 && lastOwner != 2 -> token++ :: else fi;
       owner = 2; lastOwner = 2; bel[2] = 1; printf("lease: B2 holds it (token %d)\n", token);
       if :: M[2].tok != token -> COVER(LEASE_RELOAD); stop(2) :: else fi }
  :: atomic { expiries > 0 && (bel[1] || bel[2]) -> expiries--;
       if :: bel[1] -> bel[1] = 0; printf("lease: B1's belief runs out\n") :: bel[2] -> bel[2] = 0; printf("lease: B2's belief runs out\n") fi }
  :: atomic { owner != 0 && !bel[owner] -> owner = 0; printf("lease: the database frees the row\n") }
#endif

#ifdef LOSSY_STORE
  /* a store that loses A's last acknowledged row when A's process dies (H2's write delay) */
  :: atomic { lostrows > 0 && J[0].rows > 0 && M[0].phase == DOWN -> lostrows--; printf("store: loses A's last row\n");
       J[0].rows--; n = J[0].rows;
       if :: J[0].send[n] != 0 -> dsent[0]-- :: else fi;
       if :: KIND(J[0].mark[n]) == 2 -> dhw[0] = VAL(J[0].mark[n]) - 1 :: else fi;
       J[0].mark[n] = 0; J[0].cont[n] = 0; J[0].send[n] = 0; J[0].tmr[n] = 0; n = 0 }
#endif
  od
}

/* ---------------------------------------------------------------- liveness
 * every_message_handled: the fault budgets are finite, so every run has a point after which
 * no fault happens; under weak fairness (pan -a -f) every request is then answered, both
 * messages of A and the one of B are handled, and the armed timer fires.                     */
#define done (replied[0] == 6 && replied[1] == 2 && dsent[0] == 2 && dsent[1] == 1 && \
              dhw[1] == 2 && dhw[0] == 1 && darmed == 0)
#ifdef LIVENESS
ltl every_message_handled { <> done }
#endif

init {
  atomic { req[0] = 6; req[1] = 2;      /* the callers send at once, and retry */
    run Incarnation(0); run Incarnation(1); run Incarnation(2); run Environment() }
}
