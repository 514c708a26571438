package io.varshift.agent.loop;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The loop's one producer. Sends are asynchronous; the first failure the producer reports (after its
 * own retries) is kept and thrown on the loop thread before anything is committed. In fleet mode the
 * producer is transactional: every send goes into the open transaction, and the consumer offsets are
 * committed in it ({@link #commitTransaction}), so that partials, dead letters and offsets become
 * visible to {@code read_committed} readers together or not at all.
 */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final Producer<byte[], byte[]> producer;
    private final boolean transactional;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private boolean inTransaction;

    Outbox(Producer<byte[], byte[]> producer) {
        this(producer, false);
    }

    /** @param transactional whether the producer has a transactional.id (fleet mode) */
    Outbox(Producer<byte[], byte[]> producer, boolean transactional) {
        this.producer = producer;
        this.transactional = transactional;
    }

    /** Fleet mode: registers the transactional id (fencing an earlier producer of the same id). */
    void initTransactions() {
        if (transactional) {
            producer.initTransactions();
        }
    }

    /** Sends; a failure stops the loop before its next commit. */
    void send(ProducerRecord<byte[], byte[]> record) {
        send(record, this::fail);
    }

    /** Sends; a failure goes to {@code onError}, on the producer's I/O thread. */
    void send(ProducerRecord<byte[], byte[]> record, Consumer<Exception> onError) {
        begin();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                onError.accept(error);
            }
        });
    }

    private void begin() {
        if (transactional && !inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    /**
     * Fleet mode: commits the consumer {@code offsets} in the open transaction (opening one if needed)
     * and commits it. On failure the transaction is aborted and the loop stops: a restart replays
     * from the last committed offsets and cuts the same slices again.
     */
    void commitTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        throwIfFailed();
        try {
            begin();
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
            inTransaction = false;
        } catch (KafkaException e) {
            abortQuietly();
            throw new IllegalStateException("committing the transaction of partials and offsets " + offsets.keySet()
                    + " failed (" + e + "); stopping so that the records are replayed from the last commit", e);
        }
    }

    private void abortQuietly() {
        if (!inTransaction) {
            return;
        }
        inTransaction = false;
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            // A fenced or failed producer cannot abort; the broker aborts the transaction at its timeout.
            LOG.warnf("aborting the transaction: %s", e.toString());
        }
    }

    void fail(Exception error) {
        failure.compareAndSet(null, error);
    }

    void flush() {
        producer.flush();
    }

    void throwIfFailed() {
        Exception error = failure.get();
        if (error != null) {
            throw new IllegalStateException("producing to Kafka failed (" + error
                    + "); stopping without committing so that uncovered records are replayed", error);
        }
    }

    /** After a failure nothing pending is worth waiting for: its records are replayed anyway. */
    void close(boolean failed) {
        // An open transaction holds nothing committed; aborting it now spares read_committed readers its timeout.
        abortQuietly();
        producer.close(failed ? Duration.ZERO : Duration.ofSeconds(10));
    }
}
