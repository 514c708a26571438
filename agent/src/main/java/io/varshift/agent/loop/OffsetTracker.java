package io.varshift.agent.loop;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * What may be committed: per partition, the smallest first offset any open window still holds, or
 * the position after the last handled record when no open window holds that partition.
 */
final class OffsetTracker {

    private static final Logger LOG = Logger.getLogger(OffsetTracker.class);

    /** Next offset after the last record handled, per assigned partition. */
    private final Map<TopicPartition, Long> consumed = new HashMap<>();
    /** Last offset committed by this loop, per assigned partition. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Fleet mode: per partition, the start of its open slice, which nothing may be committed past. */
    private final Map<TopicPartition, Long> holds = new HashMap<>();
    private long commits;

    void handled(TopicPartition partition, long offset) {
        consumed.put(partition, offset + 1);
    }

    /** The offset after the last record handled of {@code partition}. */
    long consumed(TopicPartition partition) {
        return consumed.get(partition);
    }

    /** Per partition, the offset up to which every handled record is published, dead-lettered or sampled out. */
    Map<TopicPartition, Long> covered(Collection<ModelLane> lanes) {
        Map<TopicPartition, Long> safe = new HashMap<>(consumed);
        for (ModelLane lane : lanes) {
            lane.openOffsets().forEach((tp, range) -> safe.computeIfPresent(tp, (k, v) -> Math.min(v, range[0])));
        }
        holds.forEach((tp, start) -> safe.computeIfPresent(tp, (k, v) -> Math.min(v, start)));
        return safe;
    }

    /** The covered offsets that move a partition past its last commit. */
    Map<TopicPartition, OffsetAndMetadata> due(Collection<ModelLane> lanes) {
        Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
        covered(lanes).forEach((tp, offset) -> {
            Long done = committed.get(tp);
            if (done == null || offset > done) {
                due.put(tp, new OffsetAndMetadata(offset));
            }
        });
        return due;
    }

    void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> due) {
        try {
            consumer.commitSync(due);
            due.forEach((tp, o) -> committed.put(tp, o.offset()));
            commits++;
        } catch (CommitFailedException e) {
            // The group moved on; the new owner re-reads from the last commit (duplicates, no loss).
            LOG.warnf("commit of %s failed, the partitions were reassigned: %s", due.keySet(), e.getMessage());
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // Retriable (timeout, coordinator moving): the next commit carries a superset of these offsets.
            LOG.warnf("commit of %s failed, will retry with the next window: %s", due.keySet(), e.toString());
        }
    }

    /** Fleet mode: nothing past {@code start} of {@code partition} is committed until {@link #release}. */
    void hold(TopicPartition partition, long start) {
        holds.put(partition, start);
    }

    void release(TopicPartition partition) {
        holds.remove(partition);
    }

    void releaseAll() {
        holds.clear();
    }

    /**
     * Fleet mode: commits {@code due} in the outbox's transaction, with the partials and dead letters
     * sent in it. A failure is not retried: it propagates and stops the loop, since the partials of the
     * aborted transaction are gone and only a replay from the last commit makes them again.
     */
    void commitInTransaction(Consumer<byte[], byte[]> consumer, Outbox outbox,
            Map<TopicPartition, OffsetAndMetadata> due) {
        outbox.commitTransaction(due, consumer.groupMetadata());
        due.forEach((tp, o) -> committed.put(tp, o.offset()));
        commits++;
    }

    /** Rewinds kept partitions to {@code covered} (their first abandoned record) and forgets the gone ones. */
    void rewind(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> covered, Collection<TopicPartition> gone) {
        for (TopicPartition tp : consumer.assignment()) {
            Long offset = covered.get(tp);
            if (!gone.contains(tp) && offset != null && offset < consumed.get(tp)) {
                consumer.seek(tp, offset);
                consumed.put(tp, offset);
            }
        }
        gone.forEach(tp -> {
            consumed.remove(tp);
            committed.remove(tp);
        });
    }

    /** Successful commits so far; a loop that committed made progress. */
    long commits() {
        return commits;
    }
}
