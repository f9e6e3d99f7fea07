package dev.rsm.persistence.internal;

import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.AbstractSeq;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.collection.immutable.Vector;
import scala.collection.immutable.Vector$;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's journal DAO, with the rows of each write handed to its batching queue
 * as a {@code Vector} instead of a {@code List}.
 *
 * <p>The DAO merges the writes waiting in its queue into one database batch with {@code rows ++
 * newRows}, starting from the first write's rows. Each write of an event-sourced actor arrives as
 * a one-element {@code List}, and appending to a {@code List} copies it: a batch of n writes made
 * n²/2 list cells, 9 % of everything a node allocated under load. Appending to a {@code Vector}
 * shares its structure. The rows, their order and the SQL are unchanged.
 *
 * <p>Configured as {@code jdbc-journal.dao} in rsm-persistence's reference.conf; the plugin
 * creates it by reflection with exactly these constructor parameter types.
 */
public final class BatchingJournalDao extends DefaultJournalDao {

  public BatchingJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
  }

  @Override
  public Future<BoxedUnit> queueWriteJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    // A one-row write (the usual case) becomes a one-element Vector without toVector's builder.
    return super.queueWriteJournalRows(rows.lengthCompare(1) == 0 ? one(rows.head()) : rows.toVector());
  }

  @SuppressWarnings("unchecked")
  private static <T> Vector<T> one(T row) {
    // Through AbstractSeq: javac finds Vector's own appended and the inherited one ambiguous.
    AbstractSeq<T> empty = Vector$.MODULE$.empty();
    return (Vector<T>) empty.appended(row);
  }
}
