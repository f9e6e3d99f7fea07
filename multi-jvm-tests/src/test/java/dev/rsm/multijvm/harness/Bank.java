package dev.rsm.multijvm.harness;

import dev.rsm.app.sample.Account;
import dev.rsm.client.Answer;
import dev.rsm.client.RsmClient;
import dev.rsm.client.RsmException;
import dev.rsm.client.Unavailable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients of the bank sample ({@code account} machines) over HTTP, through {@code rsm-client}, and
 * their ledger.
 *
 * <p>Every input carries a unique idempotency key. The client retries a request that gets 503,
 * times out or cannot connect <em>with the same key</em> on the next node (calls start round-robin
 * over every node the client knows, dead or alive) until it gets a reply; the final reply ({@code
 * Account.Result}) goes into the ledger. Each transfer thread owns the accounts it debits, so the
 * replies alone decide the ledger: the accepted transfers give every account's final balance.
 */
public final class Bank {
  /** Small against transfers of 1..20, so some transfers are refused and the ledger records both outcomes. */
  public static final long OPENING_BALANCE = 100;
  /**
   * A single request still failing after this long means something hangs (the longest outage a
   * scenario causes, six seconds of database, and its recovery take well under it).
   */
  private static final Duration GIVE_UP = Duration.ofSeconds(60);
  /** Above the nodes' own 3 s request timeout (after which they answer 503), so a node's answer comes first. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);

  /** One ledger line: a key sent to {@code account} and its final reply. {@code to} is null for deposits. */
  public record Entry(String key, String account, String to, long amount, boolean accepted, long balance) {}

  private final List<String> accounts = new ArrayList<>();
  private final int workers;
  private final List<Integer> ports;
  private final Queue<Entry> ledger = new ConcurrentLinkedQueue<>();
  private volatile RsmClient client; // through every node in ports
  private final AtomicLong transfers = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong connectionErrors = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final Map<Integer, AtomicLong> okByPort = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<AtomicInteger> nextKey = new ArrayList<>(); // per worker: its keys are tr-w<worker>-<n>
  private volatile boolean running;

  /** {@code accounts} accounts ({@code acct-00}, ...) debited by {@code workers} threads, through {@code ports}. */
  Bank(int accounts, int workers, List<Integer> ports) {
    for (int i = 0; i < accounts; i++) this.accounts.add(String.format("acct-%02d", i));
    this.workers = workers;
    this.ports = new CopyOnWriteArrayList<>(ports);
    this.client = clientThrough(this.ports);
    for (int w = 0; w < workers; w++) nextKey.add(new AtomicInteger());
  }

  /** A client of the nodes with HTTP ports {@code through}, counting every failed attempt. */
  private RsmClient clientThrough(List<Integer> through) {
    return RsmClient.builder()
        .nodes(through.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toArray(URI[]::new))
        .deadline(GIVE_UP)
        .attemptTimeout(REQUEST_TIMEOUT)
        .onFailedAttempt(a -> (a.status() == 503 ? unavailable : connectionErrors).incrementAndGet())
        .build();
  }

  public List<String> accounts() {
    return List.copyOf(accounts);
  }

  /** Clients learn about a new node. */
  public void addNode(int httpPort) {
    ports.add(httpPort);
    client = clientThrough(ports);
  }

  /** Deposits the opening balance into every account. */
  public void open() {
    for (String a : accounts) {
      Reply r = call(client, a, "dep-" + a, new Account.Deposit(OPENING_BALANCE));
      ledger.add(new Entry("dep-" + a, a, null, OPENING_BALANCE, r.accepted(), r.balance()));
    }
  }

  /** Starts the transfer threads; they run until {@link #stopTransfers}. */
  public void startTransfers() {
    running = true;
    for (int w = 0; w < workers; w++) {
      int worker = w;
      Thread t = new Thread(() -> {
        try {
          while (running) transfer(worker, client);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          running = false;
        }
      }, "bank-client-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * A burst: every worker makes {@code perWorker} transfers, sending (and retrying) only through
   * the nodes with HTTP ports {@code through}; returns when all are done, fails if one failed.
   * Not while {@link #startTransfers} runs.
   */
  public void burst(int perWorker, List<Integer> through) {
    if (running) throw new IllegalStateException("the transfer threads are running");
    RsmClient only = clientThrough(through);
    List<Thread> burst = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int worker = w;
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < perWorker; i++) transfer(worker, only);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bank-burst-" + w);
      t.setDaemon(true);
      burst.add(t);
      t.start();
    }
    threads.addAll(burst);
    join(burst);
    threads.removeAll(burst);
  }

  /**
   * One transfer by {@code worker} from the next account it owns (each worker debits its own
   * accounts only) to a random other account, of 1..20, with the worker's next key.
   */
  private void transfer(int worker, RsmClient through) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int n = nextKey.get(worker).getAndIncrement();
    List<String> owned = new ArrayList<>();
    for (int i = worker; i < accounts.size(); i += workers) owned.add(accounts.get(i));
    String from = owned.get(n % owned.size());
    String to;
    do to = accounts.get(rnd.nextInt(accounts.size())); while (to.equals(from));
    long amount = 1 + rnd.nextInt(20);
    String key = String.format("tr-w%d-%06d", worker, n);
    Reply r = call(through, from, key, new Account.Transfer(to, amount));
    ledger.add(new Entry(key, from, to, amount, r.accepted(), r.balance()));
    transfers.incrementAndGet();
  }

  private record Reply(boolean accepted, long balance) {}

  /**
   * Sends one input with {@code key} to account {@code id} through {@code client}, which retries the
   * same key on the next node until it gets a reply or {@link #GIVE_UP} has passed.
   */
  private Reply call(RsmClient client, String id, String key, Account.Input input) {
    try {
      Answer a = client.machine(Account.TYPE, id).ask(key, input);
      attempts.addAndGet(a.attempts());
      okByPort.computeIfAbsent(a.node().getPort(), p -> new AtomicLong()).incrementAndGet();
      if (a.replayed()) replayed.incrementAndGet();
      Account.Result r = a.as(Account.Result.class);
      return new Reply(r.accepted(), r.balance());
    } catch (Unavailable e) {
      attempts.addAndGet(e.attempts().size());
      throw new AssertionError("key " + key + " to account " + id + " got no reply within " + GIVE_UP + ": "
          + e.getMessage(), e);
    } catch (RsmException e) {
      throw new AssertionError("account " + id + " key " + key + " answered " + e.status() + ": " + e.getMessage(), e);
    }
  }

  /** Waits until {@code n} more transfers have completed: the cluster is serving. */
  public void awaitMoreTransfers(long n, Duration timeout) {
    long target = transfers.get() + n;
    Waits.await(n + " more transfers completed", timeout).until(() -> {
      Throwable f = failure.get();
      if (f != null) throw new AssertionError("a client failed", f);
      return transfers.get();
    }, done -> done >= target);
  }

  /** Stops the transfer threads after their current transfer completes; fails if any client failed. */
  public void stopTransfers() {
    running = false;
    join(threads);
    threads.clear();
  }

  /** Waits for {@code clients} to finish; fails if one hangs or any client failed. */
  private void join(List<Thread> clients) {
    for (Thread t : clients) {
      try {
        t.join(GIVE_UP.plusSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (t.isAlive()) throw new AssertionError(t.getName() + " did not finish its last transfer");
    }
    Throwable f = failure.get();
    if (f != null) throw new AssertionError("a client failed: " + f.getMessage(), f);
  }

  /** Stops the clients at once, mid-request (clean-up after a failed test: nothing is checked). */
  void abort() {
    running = false;
    threads.forEach(Thread::interrupt);
  }

  public long transfers() {
    return transfers.get();
  }

  /** 503 answers received so far. */
  public long unavailable() {
    return unavailable.get();
  }

  /** 200 answers received from the node with HTTP port {@code port} (retries included, by key or not). */
  public long answeredBy(int port) {
    AtomicLong n = okByPort.get(port);
    return n == null ? 0 : n.get();
  }

  public long connectionErrors() {
    return connectionErrors.get();
  }

  public List<Entry> ledger() {
    return List.copyOf(ledger);
  }

  /** What every account must hold: opening deposits, minus accepted debits, plus accepted credits. */
  public Map<String, Long> expectedBalances() {
    Map<String, Long> b = new HashMap<>();
    for (String a : accounts) b.put(a, 0L);
    for (Entry e : ledger) {
      if (!e.accepted()) continue;
      if (e.to() == null) {
        b.merge(e.account(), e.amount(), Long::sum);
      } else {
        b.merge(e.account(), -e.amount(), Long::sum);
        b.merge(e.to(), e.amount(), Long::sum);
      }
    }
    return b;
  }

  public long totalDeposits() {
    return ledger.stream().filter(e -> e.to() == null && e.accepted()).mapToLong(Entry::amount).sum();
  }

  /** Every key sent to each account: each must be one journaled step of that account. */
  public Map<String, Set<String>> keysByAccount() {
    Map<String, Set<String>> keys = new HashMap<>();
    for (String a : accounts) keys.put(a, new HashSet<>());
    for (Entry e : ledger) keys.get(e.account()).add(e.key());
    return keys;
  }

  /** Accepted transfers into each account: each must be exactly one credit step there. */
  public Map<String, Long> creditsByAccount() {
    Map<String, Long> credits = new HashMap<>();
    for (String a : accounts) credits.put(a, 0L);
    for (Entry e : ledger) if (e.to() != null && e.accepted()) credits.merge(e.to(), 1L, Long::sum);
    return credits;
  }

  /** One line for the test output. */
  public String summary() {
    long accepted = ledger.stream().filter(e -> e.to() != null && e.accepted()).count();
    return String.format("%d transfers (%d accepted) over %d accounts; %d HTTP attempts, %d answered 503, "
            + "%d connection errors/timeouts, %d replayed by key",
        transfers.get(), accepted, accounts.size(), attempts.get(), unavailable.get(), connectionErrors.get(),
        replayed.get());
  }
}
