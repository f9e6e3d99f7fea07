package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.delivery.ShardingConsumerController;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * rd: Pekko Reliable Delivery, the at-least-once way a Pekko user would move messages durably
 * between entities: {@code producers} {@link RdProducer}s, each a {@code ShardingProducerController}
 * with an {@code EventSourcedProducerQueue}, send to {@code entities} {@link RdConsumer}s behind
 * {@code ShardingConsumerController}s, with {@code inFlight} messages in flight in total. Latency is
 * from the producer handing a message over to its consumer having persisted it.
 */
final class RdWorkload implements Workload {
  private final Store store;
  private final String tag;
  private final int entities;
  private final int inFlight;
  private final int producers;
  private final String payload;
  private final Meter meter = new Meter(1);
  private Node node;

  RdWorkload(Store store, String tag, int entities, int inFlight, int producers, int payloadBytes) {
    this.store = store;
    this.tag = tag;
    this.entities = entities;
    this.inFlight = inFlight;
    this.producers = Math.min(producers, inFlight);
    this.payload = Route.payload(payloadBytes);
  }

  @Override
  public String name() {
    return "rd";
  }

  @Override
  public void start() throws Exception {
    node = new Node("rd", store, ConfigFactory.empty());
    ClusterSharding sharding = ClusterSharding.get(node.system);
    EntityTypeKey<ConsumerController.SequencedMessage<RdConsumer.Msg>> key =
        EntityTypeKey.create(ShardingConsumerController.entityTypeKeyClass(), "rd-" + tag);
    List<ActorRef<RdProducer.Command>> refs = new CopyOnWriteArrayList<>();
    RdConsumer.Listener listener = m -> {
      meter.delivered(System.nanoTime() - m.sentNanos());
      refs.get(m.producer()).tell(new RdProducer.Consumed());
    };
    ClusterShardingSettings settings = ClusterShardingSettings.create(node.system).withRememberEntities(false);
    ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<RdConsumer.Msg>>> region =
        sharding.init(Entity.of(key, ctx -> ShardingConsumerController.<RdConsumer.Msg, RdConsumer.Command>create(
            start -> RdConsumer.create(PersistenceId.of(key.name(), ctx.getEntityId()), start, listener)))
            .withSettings(settings));
    for (int p = 0; p < producers; p++) {
      int quota = inFlight / producers + (p < inFlight % producers ? 1 : 0);
      refs.add(node.system.systemActorOf(
          RdProducer.create(p, "rd-producer-" + tag + "-" + p, quota, entities, payload, region),
          "rd-producer-" + p, Props.empty()));
    }
  }

  @Override
  public Meter meter() {
    return meter;
  }

  @Override
  public Map<String, Object> facts() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("producers", producers);
    Map<String, Object> consumer = Journal.rowStats(store, "rd-" + tag + "|");
    Map<String, Object> queue = Journal.rowStats(store, "rd-producer-" + tag + "-");
    f.put("consumer_journal_rows", consumer.get("journal_rows"));
    f.put("bytes_per_row", consumer.get("bytes_per_row"));
    f.put("producer_queue_journal_rows", queue.get("journal_rows"));
    return f;
  }

  @Override
  public void close() throws Exception {
    if (node != null) node.close();
  }
}
