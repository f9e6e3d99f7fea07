package dev.rsm.app;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * How a node finds its cluster, one of three ways: seed nodes ({@code pekko.cluster.seed-nodes},
 * the local and compose profiles), Pekko Management Cluster Bootstrap ({@code rsm.node.bootstrap =
 * on}: the nodes find each other through {@code pekko.discovery}, e.g. the Kubernetes API, and
 * agree on who forms the cluster, so no address is fixed in advance), or neither: a single node
 * that joins itself.
 */
final class ClusterFormation {
  private ClusterFormation() {}

  /**
   * Checks, before the ActorSystem starts, that the configuration names one way: bootstrap needs
   * Pekko Management (its contact points are management routes) without bearer tokens (the
   * contact points of other nodes send none), and no seed nodes (they would race it).
   *
   * @throws IllegalArgumentException naming the key to change
   */
  static void check(Config config, boolean managementAuth) {
    if (!config.getBoolean("rsm.node.bootstrap")) return;
    if (!config.getBoolean("rsm.node.management"))
      throw new IllegalArgumentException("rsm.node.bootstrap = on needs rsm.node.management = on");
    if (managementAuth)
      throw new IllegalArgumentException("rsm.node.bootstrap = on needs rsm.node.management-auth = off "
          + "(bootstrap's requests to other nodes carry no bearer token)");
    if (!config.getStringList("pekko.cluster.seed-nodes").isEmpty())
      throw new IllegalArgumentException("rsm.node.bootstrap = on needs pekko.cluster.seed-nodes = []");
  }

  /** Joins itself, or starts Cluster Bootstrap; with seed nodes Pekko joins them on its own. */
  static void begin(ActorSystem<Void> system, Config config) {
    Cluster cluster = Cluster.get(system);
    if (config.getBoolean("rsm.node.bootstrap")) ClusterBootstrap.get(system.classicSystem()).start();
    else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty())
      cluster.manager().tell(Join.create(cluster.selfMember().address())); // a single node joins itself
  }
}
