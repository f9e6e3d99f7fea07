package dev.rsm.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rsm.actors.MachineType;
import dev.rsm.client.internal.Calls;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A client of RSM nodes' HTTP API ({@code docs/http-api.md}), typed by the machine types:
 *
 * <pre>{@code
 * RsmClient client = RsmClient.builder().nodes(URI.create("http://127.0.0.1:8080")).build();
 * Account.Result r = client.machine(Account.TYPE, "alice")
 *     .ask("deposit-42", new Account.Deposit(100), Account.Result.class);
 * }</pre>
 *
 * <p><b>Retries.</b> An input sent with an idempotency key is retried, under the same key, on a 503
 * (after its {@code Retry-After}), a timeout or a failed connection, moving to the next node each
 * time, until the deadline; the key makes the node handle it at most once however many requests
 * reach it. An input without a key is never retried: a second request could handle it twice. Reads
 * are always retried. Every other answer ends the call at once, as its {@link RsmException}.
 *
 * <p>Thread safe; one client serves any number of machines and concurrent calls.
 */
public final class RsmClient {
  private final Calls calls;
  private final ObjectMapper mapper;

  private RsmClient(Calls calls, ObjectMapper mapper) {
    this.calls = calls;
    this.mapper = mapper;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The machine of type {@code type} with id {@code id}; nothing is sent until it is asked. */
  public <I, S> MachineClient<I, S> machine(MachineType<I, S> type, String id) {
    return new MachineClient<>(calls, mapper, Objects.requireNonNull(type, "type"), Objects.requireNonNull(id, "id"));
  }

  /**
   * The machine of type {@code type} with id {@code id}, its inputs and state as JSON: for tools and
   * callers without the machine's classes (the {@code rsm} command line). Prefer {@link
   * #machine(MachineType, String)} where the classes are at hand.
   */
  public JsonMachineClient machine(String type, String id) {
    return new JsonMachineClient(calls, mapper, Objects.requireNonNull(type, "type"), Objects.requireNonNull(id, "id"));
  }

  /**
   * The read-only admin API ({@code docs/admin-api.md}) of the node whose management endpoint is
   * {@code management} ({@code http://host:8558}), with this client's deadline, timeouts, token and
   * TLS context.
   */
  public AdminClient admin(URI management) {
    return new AdminClient(calls.to(List.of(Objects.requireNonNull(management, "management"))), mapper);
  }

  /** Settings of a client; only {@link #nodes} is required. */
  public static final class Builder {
    private List<URI> nodes = List.of();
    private Duration deadline = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private String bearerToken;
    private ObjectMapper mapper;
    private SSLContext sslContext;
    private Consumer<Attempt> onFailedAttempt = a -> {};

    private Builder() {}

    /**
     * The nodes' base URIs ({@code http://host:port}, or {@code https}); calls start at them in
     * turn, so that they spread over the nodes, and a retry goes to the next one.
     */
    public Builder nodes(URI... nodes) {
      this.nodes = List.of(nodes);
      return this;
    }

    /** How long a call may take, retries included (30 s); then it fails with {@link Unavailable}. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /**
     * How long one request may take (10 s) before it counts as timed out and, with a key, goes to
     * the next node. A node answers 503 itself after its {@code rsm.http.request-timeout} (5 s).
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive(timeout, "attemptTimeout");
      return this;
    }

    /** The token sent as {@code Authorization: Bearer} to nodes with {@code rsm.http.auth} on. */
    public Builder bearerToken(String token) {
      this.bearerToken = token;
      return this;
    }

    /**
     * The Jackson mapper that writes inputs and reads replies and states; by default one with the
     * Jackson modules found on the class path that ignores fields it does not know, so a node may
     * add fields to a reply.
     */
    public Builder mapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** The TLS context for {@code https} nodes whose certificate the JDK's default trust store does not hold. */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * Told of every request that did not end its call (a 503, a timeout, a failed connection), as
     * it happens, on the client's threads: for metrics and logs. It must not block.
     */
    public Builder onFailedAttempt(Consumer<Attempt> listener) {
      this.onFailedAttempt = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public RsmClient build() {
      if (nodes.isEmpty()) throw new IllegalArgumentException("no nodes: give at least one with nodes(URI...)");
      // HTTP/1.1: the nodes serve no HTTP/2, so asking for an upgrade would only cost bytes.
      HttpClient.Builder hb = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(attemptTimeout);
      if (sslContext != null) hb.sslContext(sslContext);
      HttpClient http = hb.build();
      ObjectMapper m = mapper != null ? mapper
          : JsonMapper.builder().findAndAddModules()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
      return new RsmClient(new Calls(http, nodes, deadline, attemptTimeout, bearerToken, onFailedAttempt), m);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
      return d;
    }
  }
}
