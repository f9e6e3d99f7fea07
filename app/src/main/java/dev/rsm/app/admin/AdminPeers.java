package dev.rsm.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.internal.RsmSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Each node's recent rejections, for the admin API of any node: every node runs one small actor,
 * registered with the receptionist, that answers with its {@link RecentRejections} already written
 * as JSON (so no user value crosses the wire as an object a peer would have to deserialize).
 */
final class AdminPeers {
  static final ServiceKey<Ask> KEY = ServiceKey.create(Ask.class, "rsm-admin-peer");

  /** What a peer is asked: its rejections. */
  public record Ask(ActorRef<Rejections> replyTo) implements RsmSerializable {}

  /** A node's rejections, newest first, as a JSON array (see {@link AdminJson#rejection}). */
  public record Rejections(String node, String json) implements RsmSerializable {}

  private AdminPeers() {}

  /** Starts this node's peer. */
  static void start(ActorSystem<?> system, RecentRejections rejections, MachineRegistry registry) {
    system.systemActorOf(behavior(system.address().toString(), rejections, new AdminJson(registry)), "rsm-admin-peer",
        org.apache.pekko.actor.typed.Props.empty());
  }

  private static Behavior<Ask> behavior(String node, RecentRejections rejections, AdminJson json) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      return Behaviors.receive(Ask.class).onMessage(Ask.class, a -> {
        a.replyTo().tell(of(node, rejections, json));
        return Behaviors.same();
      }).build();
    });
  }

  /** {@code rejections}, written as the answer of node {@code node}. */
  static Rejections of(String node, RecentRejections rejections, AdminJson json) {
    ArrayNode list = AdminJson.MAPPER.createArrayNode();
    rejections.latest().forEach(r -> list.add(json.rejection(r)));
    return new Rejections(node, write(list));
  }

  /**
   * This node's rejections ({@code local}, read directly: the receptionist may not list this
   * node's own peer yet, just after it started) and every other peer's answer within {@code
   * timeout}; a node that does not answer is left out and named.
   */
  static CompletionStage<Gathered> gather(ActorSystem<?> system, Rejections local, Duration timeout) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            r -> Receptionist.find(KEY, r), timeout, system.scheduler())
        .thenCompose(listing -> {
          Set<ActorRef<Ask>> peers = listing.getServiceInstances(KEY);
          List<CompletableFuture<Object>> answers = new ArrayList<>();
          answers.add(CompletableFuture.completedFuture(local));
          for (ActorRef<Ask> peer : peers)
            if (!peer.path().address().hasLocalScope() && !peer.path().address().equals(system.address())) // not ours
              answers.add(AskPattern.<Ask, Rejections>ask(peer, Ask::new, timeout, system.scheduler())
                .<Object>thenApply(r -> r)
                .exceptionally(e -> peer.path().address().toString())
                .toCompletableFuture());
          return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(d -> {
            List<Rejections> got = new ArrayList<>();
            List<String> silent = new ArrayList<>();
            for (CompletableFuture<Object> a : answers) {
              Object o = a.join();
              if (o instanceof Rejections r) got.add(r);
              else silent.add((String) o);
            }
            return new Gathered(got, silent);
          });
        });
  }

  /** The answers, and the nodes that did not answer in time. */
  record Gathered(List<Rejections> answers, List<String> silent) {}

  private static String write(ArrayNode list) {
    try {
      return AdminJson.MAPPER.writeValueAsString(list);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
