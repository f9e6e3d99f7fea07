package dev.rsm.multijvm.rogue;

import dev.rsm.actors.Address;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.Protocol;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.Patterns;
import com.typesafe.config.ConfigFactory;

/**
 * A rogue peer, run as its own JVM by {@code PeerSecurityTest} with the node's class path (the
 * node jar) and the test classes: an ActorSystem named like the cluster's ({@code rsm}), on the
 * node's own configuration, that does not join the cluster but speaks Artery to a node directly.
 * It resolves the node's shard region of {@code account}, reads the target machine's state
 * ({@code GetState}, a control: the route reaches the machine), sends it {@link Protocol.Deliver}s
 * whose input is of a class outside the node's allow-list ({@link Gadget}, {@code java.net.URL}),
 * and reads the state again (the machine still answers over the same connection). Prints one line
 * per step ({@code RESOLVED}, {@code BEFORE}, {@code SENT}, {@code AFTER}) and exits 0.
 *
 * <p>Arguments: the node's Artery address ({@code pekko://rsm@127.0.0.1:port}) and the machine id.
 * Its own serializer needs no bypass: the allow-list is checked when a message is read, not when
 * it is written.
 */
public final class ForgedPeerMessage {
  private ForgedPeerMessage() {}

  public static void main(String[] args) throws Exception {
    String node = args[0];
    String id = args[1];
    // Reads the machine's state back: that class must be readable here too.
    ActorSystem system = ActorSystem.create("rsm", ConfigFactory.parseString("""
            pekko.remote.artery.canonical.port = 0
            rsm.serialization.allowed-classes = ["dev.rsm.app.sample.Account$State"]
            """).withFallback(ConfigFactory.load()));
    int status = 1;
    try {
      AllowedClasses.get(system);
      ActorRef region = system.actorSelection(node + "/system/sharding/rsm-account")
          .resolveOne(Duration.ofSeconds(20)).toCompletableFuture().get(25, TimeUnit.SECONDS);
      System.out.println("RESOLVED " + region);
      System.out.println("BEFORE " + state(region, id));

      Address from = new Address("account", "rogue");
      Object[] inputs = {new Gadget("touch /tmp/pwned"), URI.create("http://rogue.invalid/").toURL()};
      long seq = 1;
      for (Object input : inputs) {
        region.tell(new ShardingEnvelope<>(id, new Protocol.Deliver(from, seq++, input, null, null)), ActorRef.noSender());
        System.out.println("SENT Deliver of " + input.getClass().getName() + " to account/" + id);
      }
      System.out.println("AFTER " + state(region, id));
      status = 0;
    } catch (Throwable e) {
      e.printStackTrace(System.out);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    System.exit(status);
  }

  private static String state(ActorRef region, String id) throws Exception {
    Object reply = Patterns.askWithReplyTo(region,
            replyTo -> new ShardingEnvelope<>(id, new Protocol.GetState(Adapter.toTyped(replyTo))),
            Duration.ofSeconds(15))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    MachineView v = (MachineView) reply;
    return "state=" + v.state() + " seqNr=" + v.seqNr();
  }
}
