package dev.rsm.persistence.internal;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import java.sql.SQLException;
import java.sql.Statement;
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
import slick.dbio.DBIOAction;
import slick.jdbc.H2Profile;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * pekko-persistence-jdbc's journal DAO, with the rows of each write handed to its batching queue
 * as a {@code Vector} instead of a {@code List}, and each batch sorted without boxing.
 *
 * <p>The DAO merges the writes waiting in its queue into one database batch with {@code rows ++
 * newRows}, starting from the first write's rows. Each write of an event-sourced actor arrives as
 * a one-element {@code List}, and appending to a {@code List} copies it: a batch of n writes
 * would make n²/2 list cells. Appending to a {@code Vector} shares its structure. The rows, their order and the SQL are unchanged (see also {@link
 * #writeJournalRows}).
 *
 * <p>On H2 with {@code rsm.storage.h2.fsync = on}, each batch's transaction is followed by {@code
 * CHECKPOINT SYNC}, and the write completes only when that has returned: H2 then has written its
 * pending changes to its file and forced the file to disk ({@code FileChannel.force}, an fsync), so
 * the steps of the batch, and of every batch committed before it, survive an OS crash or a power
 * loss before any reply, send or acknowledgement of theirs goes out. A failed sync fails the write
 * like a failed insert.
 *
 * <p>Configured as {@code jdbc-journal.dao} in rsm-persistence's reference.conf; the plugin
 * creates it by reflection with exactly these constructor parameter types.
 */
public final class BatchingJournalDao extends DefaultJournalDao {
  /** H2's command that writes pending changes and forces the database file to disk. */
  static final String H2_SYNC = "CHECKPOINT SYNC";

  private final boolean syncAfterWrite;

  public BatchingJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    Config config = serialization.system().settings().config();
    this.syncAfterWrite = profile instanceof H2Profile
        && config.hasPath("rsm.storage.h2.fsync") && config.getBoolean("rsm.storage.h2.fsync");
    UnwrittenReads.register(serialization.system(), this);
  }

  @Override
  public Future<BoxedUnit> queueWriteJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    // A one-row write (the usual case) becomes a one-element Vector without toVector's builder.
    return super.queueWriteJournalRows(rows.lengthCompare(1) == 0 ? one(rows.head()) : rows.toVector());
  }

  /** One batch: its transaction, then (with fsync on) the sync that forces it to disk. */
  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    Future<BoxedUnit> written = writeSorted(rows);
    return syncAfterWrite ? written.flatMap(done -> sync(), ExecutionContext.parasitic$.MODULE$) : written;
  }

  /**
   * The plugin sorts each batch by sequence number with a boxing {@code Ordering} (two {@code
   * Long}s per comparison, on the actor threads). Sorted here first,
   * on the primitive, its sort finds one run and compares each row once. Both sorts are stable,
   * so the rows and their order are exactly the plugin's.
   */
  @SuppressWarnings("unchecked")
  private Future<BoxedUnit> writeSorted(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    if (rows.lengthCompare(1) <= 0) return super.writeJournalRows(rows);
    Tuple2<JournalPekkoSerializationRow, Set<String>>[] sorted = new Tuple2[rows.length()];
    rows.copyToArray(sorted);
    Arrays.sort(sorted, BY_SEQUENCE_NUMBER);
    return super.writeJournalRows((Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>>) (Seq<?>) ArraySeq.unsafeWrapArray(sorted));
  }

  /** Runs {@link #H2_SYNC} on a connection of the journal's pool, on Slick's executor. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<BoxedUnit> sync() {
    // Raw: Slick's run takes an action whose effect type is Scala's Nothing, which Java cannot name.
    return (Future<BoxedUnit>) db().run((DBIOAction) SYNC);
  }

  private static final SimpleJdbcAction<BoxedUnit> SYNC = SimpleJdbcAction.apply(ctx -> {
    try (Statement st = ctx.connection().createStatement()) {
      st.execute(H2_SYNC);
    } catch (SQLException e) {
      throw new IllegalStateException("H2 could not force the journal to disk (" + H2_SYNC + "): " + e.getMessage(), e);
    }
    return BoxedUnit.UNIT;
  });

  private static final Comparator<Tuple2<JournalPekkoSerializationRow, Set<String>>> BY_SEQUENCE_NUMBER =
      Comparator.comparingLong(row -> row._1().sequenceNumber());

  @SuppressWarnings("unchecked")
  private static <T> Vector<T> one(T row) {
    // Through AbstractSeq: javac finds Vector's own appended and the inherited one ambiguous.
    AbstractSeq<T> empty = Vector$.MODULE$.empty();
    return (Vector<T>) empty.appended(row);
  }
}
