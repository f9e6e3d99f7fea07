package dev.rsm.app.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Whether this node serves: its journal's schema is present and the machines run on Cluster
 * Sharding, and its HTTP ingress is bound. {@link dev.rsm.app.RsmNode} marks it once the ingress
 * port is bound (the last step of a start) and unmarks it when the node begins to shut down, before
 * the port is unbound. Pekko Management's {@code /ready} and {@code /startup} include {@link Check},
 * next to Pekko's own cluster-membership check, so a load balancer never sends a request to a node
 * that would refuse the connection or time out.
 */
public final class Serving implements Extension {
  public static final Id ID = new Id();

  /** The extension's id. */
  public static final class Id extends AbstractExtensionId<Serving> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public Serving createExtension(ExtendedActorSystem system) {
      return new Serving();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  private volatile boolean serving;

  private Serving() {}

  public static Serving get(ActorSystem system) {
    return ID.get(system);
  }

  /** The ingress is bound and every part behind it started. */
  public void started() {
    serving = true;
  }

  /** The node is shutting down: no new requests should be sent to it. */
  public void stopping() {
    serving = false;
  }

  public boolean serving() {
    return serving;
  }

  /**
   * The readiness and startup check Pekko Management instantiates (by reflection, with the actor
   * system) from {@code pekko.management.health-checks.readiness-checks.rsm-serving}.
   */
  public static final class Check implements Supplier<CompletionStage<Boolean>> {
    private final Serving serving;

    public Check(ActorSystem system) {
      this.serving = Serving.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(serving.serving());
    }
  }
}
