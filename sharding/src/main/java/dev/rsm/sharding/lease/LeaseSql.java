package dev.rsm.sharding.lease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The statements on {@code rsm_lease}, the same on H2 and PostgreSQL. Every time in them is the
 * database's clock ({@link #NOW}), never a node's: the database alone decides whether a lease has
 * expired. Each method is one transaction on a connection the caller uses from one thread.
 */
final class LeaseSql {
  /** The database's now in epoch milliseconds (the transaction's start: one short transaction). */
  static final String NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";

  // Takes the row when it is free, this owner's already, or expired. The right-hand sides all see
  // the row as it was, so the token grows only when the owner changes. On PostgreSQL a concurrent
  // acquirer waits for the row lock and then evaluates the condition again on the row as the
  // first left it, so of two acquirers of an expired lease one gets it.
  private static final String TAKE = "UPDATE rsm_lease SET token = CASE WHEN owner = ? THEN token ELSE token + 1 END, "
      + "owner = ?, expires_at = " + NOW + " + ? WHERE name = ? AND (owner IS NULL OR owner = ? OR expires_at <= " + NOW + ")";
  private static final String EXISTS = "SELECT 1 FROM rsm_lease WHERE name = ?";
  private static final String CREATE = "INSERT INTO rsm_lease (name, owner, expires_at, token) VALUES (?, ?, " + NOW + " + ?, 1)";
  private static final String TOKEN = "SELECT token FROM rsm_lease WHERE name = ? AND owner = ?";
  private static final String RELEASE = "UPDATE rsm_lease SET owner = NULL, expires_at = 0 WHERE name = ? AND owner = ?";
  /** Names per renewal statement (the rest go in the next statement of the same transaction). */
  private static final int CHUNK = 200;

  private LeaseSql() {}

  /** The lease's token if {@code owner} holds it now (until the database's now + ttl), else empty. */
  static OptionalLong acquire(Connection c, String name, String owner, long ttlMillis, int timeoutSeconds)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      int taken;
      try (PreparedStatement ps = c.prepareStatement(TAKE)) {
        ps.setQueryTimeout(timeoutSeconds);
        ps.setString(1, owner);
        ps.setString(2, owner);
        ps.setLong(3, ttlMillis);
        ps.setString(4, name);
        ps.setString(5, owner);
        taken = ps.executeUpdate();
      }
      if (taken == 0) {
        if (exists(c, name, timeoutSeconds)) { // another owner holds it
          c.rollback();
          return OptionalLong.empty();
        }
        try (PreparedStatement ps = c.prepareStatement(CREATE)) {
          ps.setQueryTimeout(timeoutSeconds);
          ps.setString(1, name);
          ps.setString(2, owner);
          ps.setLong(3, ttlMillis);
          ps.executeUpdate();
        } catch (SQLException e) {
          if (!"23505".equals(e.getSQLState())) throw e; // unique violation: created meanwhile by another
          c.rollback();
          return OptionalLong.empty();
        }
      }
      long token;
      try (PreparedStatement ps = c.prepareStatement(TOKEN)) {
        ps.setQueryTimeout(timeoutSeconds);
        ps.setString(1, name);
        ps.setString(2, owner);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) throw new SQLException("lease " + name + " vanished while acquired");
          token = rs.getLong(1);
        }
      }
      c.commit();
      return OptionalLong.of(token);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c);
      throw e;
    }
  }

  private static boolean exists(Connection c, String name, int timeoutSeconds) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(EXISTS)) {
      ps.setQueryTimeout(timeoutSeconds);
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Extends every lease of {@code names} that {@code owner} still holds to the database's now +
   * ttl, and returns those names. A lease that expired without anyone taking it is this owner's
   * still, and renewed: nobody else held it meanwhile.
   */
  static Set<String> renew(Connection c, String owner, Collection<String> names, long ttlMillis, int timeoutSeconds)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      Set<String> held = new HashSet<>();
      List<String> all = List.copyOf(names);
      for (int from = 0; from < all.size(); from += CHUNK) {
        List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
        String in = "?" + ",?".repeat(chunk.size() - 1);
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE rsm_lease SET expires_at = " + NOW + " + ? WHERE owner = ? AND name IN (" + in + ")")) {
          ps.setQueryTimeout(timeoutSeconds);
          ps.setLong(1, ttlMillis);
          ps.setString(2, owner);
          for (int i = 0; i < chunk.size(); i++) ps.setString(3 + i, chunk.get(i));
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT name FROM rsm_lease WHERE owner = ? AND name IN (" + in + ")")) {
          ps.setQueryTimeout(timeoutSeconds);
          ps.setString(1, owner);
          for (int i = 0; i < chunk.size(); i++) ps.setString(2 + i, chunk.get(i));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) held.add(rs.getString(1));
          }
        }
      }
      c.commit();
      return held;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c);
      throw e;
    }
  }

  /** Frees the lease if {@code owner} holds it; returns whether it did. */
  static boolean release(Connection c, String name, String owner, int timeoutSeconds) throws SQLException {
    c.setAutoCommit(true);
    try (PreparedStatement ps = c.prepareStatement(RELEASE)) {
      ps.setQueryTimeout(timeoutSeconds);
      ps.setString(1, name);
      ps.setString(2, owner);
      return ps.executeUpdate() == 1;
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is closed and replaced by the caller
    }
  }
}
