package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * es: {@code inFlight} tokens circulate among {@code entities} sharded {@link EsEntity}s along the
 * same routes as rsm's tokens; each arrival persists one event of the same payload. Per-hop latency
 * is the time from the sender's event being persisted to the receiver's.
 */
final class EsWorkload implements Workload {
  private final Store store;
  private final String tag;
  private final int entities;
  private final int inFlight;
  private final String payload;
  private final Meter meter;
  private Node node;

  EsWorkload(Store store, String tag, int entities, int inFlight, int payloadBytes) {
    this.store = store;
    this.tag = tag;
    this.entities = entities;
    this.inFlight = inFlight;
    this.payload = Route.payload(payloadBytes);
    this.meter = new Meter(inFlight);
  }

  @Override
  public String name() {
    return "es " + inFlight + " in flight";
  }

  @Override
  public void start() throws Exception {
    node = new Node("es", store, ConfigFactory.empty());
    ClusterSharding sharding = ClusterSharding.get(node.system);
    EntityTypeKey<EsEntity.Hop> key = EntityTypeKey.create(EsEntity.Hop.class, "es-" + tag);
    // Plain Pekko defaults: entities are not remembered (RSM's sharding config turns it on).
    ClusterShardingSettings settings = ClusterShardingSettings.create(node.system).withRememberEntities(false);
    sharding.init(Entity.of(key, ctx -> {
      int self = Route.index(ctx.getEntityId());
      return new EsEntity(PersistenceId.of(key.name(), ctx.getEntityId()), (token, next) -> {
        meter.hop(token);
        int to = Route.next(token, next.hop() - 1, self, entities);
        sharding.entityRefFor(key, "e-" + to).tell(next);
      });
    }).withSettings(settings));
    for (int t = 0; t < inFlight; t++) {
      meter.start(t);
      sharding.entityRefFor(key, "e-" + (t % entities)).tell(new EsEntity.Hop(t, 1, payload));
    }
  }

  @Override
  public Meter meter() {
    return meter;
  }

  @Override
  public Map<String, Object> facts() {
    return Journal.rowStats(store, "es-" + tag + "|");
  }

  @Override
  public void close() throws Exception {
    if (node != null) node.close();
  }
}
