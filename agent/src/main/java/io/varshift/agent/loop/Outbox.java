package io.varshift.agent.loop;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The loop's one producer. Sends are asynchronous; the first failure the producer reports (after its
 * own retries) is kept and thrown on the loop thread before anything is committed.
 */
final class Outbox {

    private final Producer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Outbox(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** Sends; a failure stops the loop before its next commit. */
    void send(ProducerRecord<byte[], byte[]> record) {
        send(record, this::fail);
    }

    /** Sends; a failure goes to {@code onError}, on the producer's I/O thread. */
    void send(ProducerRecord<byte[], byte[]> record, Consumer<Exception> onError) {
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                onError.accept(error);
            }
        });
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
        producer.close(failed ? Duration.ZERO : Duration.ofSeconds(10));
    }
}
