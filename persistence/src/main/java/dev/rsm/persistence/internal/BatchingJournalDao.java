package dev.rsm.persistence.internal;

import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import java.util.Arrays;
import java.util.Comparator;
import scala.Tuple2;
import scala.collection.AbstractSeq;
import scala.collection.immutable.ArraySeq;
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
 * as a {@code Vector} instead of a {@code List}, and each batch sorted without boxing.
 *
 * <p>The DAO merges the writes waiting in its queue into one database batch with {@code rows ++
 * newRows}, starting from the first write's rows. Each write of an event-sourced actor arrives as
 * a one-element {@code List}, and appending to a {@code List} copies it: a batch of n writes made
 * n²/2 list cells, 9 % of everything a node allocated under load. Appending to a {@code Vector}
 * shares its structure. The rows, their order and the SQL are unchanged (see also {@link
 * #writeJournalRows}).
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

  /**
   * The plugin sorts each batch by sequence number with a boxing {@code Ordering} (two {@code
   * Long}s per comparison; 3.5 % of the actor threads' CPU samples under load). Sorted here first,
   * on the primitive, its sort finds one run and compares each row once. Both sorts are stable,
   * so the rows and their order are exactly the plugin's.
   */
  @Override
  @SuppressWarnings("unchecked")
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    if (rows.lengthCompare(1) <= 0) return super.writeJournalRows(rows);
    Tuple2<JournalPekkoSerializationRow, Set<String>>[] sorted = new Tuple2[rows.length()];
    rows.copyToArray(sorted);
    Arrays.sort(sorted, BY_SEQUENCE_NUMBER);
    return super.writeJournalRows((Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>>) (Seq<?>) ArraySeq.unsafeWrapArray(sorted));
  }

  private static final Comparator<Tuple2<JournalPekkoSerializationRow, Set<String>>> BY_SEQUENCE_NUMBER =
      Comparator.comparingLong(row -> row._1().sequenceNumber());

  @SuppressWarnings("unchecked")
  private static <T> Vector<T> one(T row) {
    // Through AbstractSeq: javac finds Vector's own appended and the inherited one ambiguous.
    AbstractSeq<T> empty = Vector$.MODULE$.empty();
    return (Vector<T>) empty.appended(row);
  }
}
