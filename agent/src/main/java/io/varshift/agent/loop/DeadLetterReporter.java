package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.artifact.Sha256;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.codec.RejectReason;

/**
 * Writes rejected records to the dead-letter topic (as Kafka Connect's DeadLetterQueueReporter, with
 * the public header API only): the original key, value and headers plus the reason, the message and
 * the source. A record that cannot be written whole (larger than the producer's request size, or
 * refused by the broker as too large) goes in a bounded form instead: its headers, the first
 * {@link #KEPT_VALUE_BYTES} bytes of its value, its size and SHA-256, and a header saying so. No
 * single record can stop the loop this way.
 */
final class DeadLetterReporter {

    private static final Logger LOG = Logger.getLogger(DeadLetterReporter.class);

    static final String SOURCE_HEADER = "varshift-source";
    static final String TRUNCATED_HEADER = "varshift-dead-letter-truncated";
    static final String ORIGINAL_SIZE_HEADER = "varshift-original-size";
    static final String ORIGINAL_SHA256_HEADER = "varshift-original-sha256";
    /** Bytes of the original value a bounded dead letter keeps: enough to see what the record was. */
    static final int KEPT_VALUE_BYTES = 4096;
    /** Original headers a bounded dead letter keeps, in bytes; the rest are dropped and counted. */
    static final int KEPT_HEADER_BYTES = 16384;
    static final int KEPT_KEY_BYTES = 1024;
    /** Room for the batch and record framing the producer adds in its size check. */
    private static final int FRAMING_BYTES = 1024;

    private final String topic;
    private final int maxRecordBytes;
    private final Outbox outbox;
    private final AgentMetrics metrics;
    /** Bounded forms of dead letters the broker refused as too large, sent on the loop thread. */
    private final Queue<ProducerRecord<byte[], byte[]>> refused = new ConcurrentLinkedQueue<>();

    /** @param maxRecordBytes the producer's max.request.size */
    DeadLetterReporter(String topic, int maxRecordBytes, Outbox outbox, AgentMetrics metrics) {
        this.topic = topic;
        this.maxRecordBytes = maxRecordBytes;
        this.outbox = outbox;
        this.metrics = metrics;
    }

    void report(ConsumerRecord<byte[], byte[]> record, RejectReason reason, String message) {
        metrics.rejected(reason.metricName());
        LOG.debugf("rejected %s-%d@%d: %s: %s", record.topic(), record.partition(), record.offset(),
                reason.metricName(), message);
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        headers.addAll(marks(record, reason, message));
        long size = FRAMING_BYTES + length(record.key()) + length(record.value()) + headerBytes(headers);
        if (size > maxRecordBytes) {
            sendBounded(bounded(record, reason, message, "the record of about " + size
                    + " bytes exceeds the producer's max.request.size of " + maxRecordBytes + " bytes"));
            return;
        }
        outbox.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers), error -> {
            if (error instanceof RecordTooLargeException) {
                refused.add(bounded(record, reason, message, "the broker refused it whole: " + error.getMessage()));
            } else {
                outbox.fail(error);
            }
        });
    }

    /**
     * Flushes the producer, then writes (and flushes) the bounded form of every dead letter the broker
     * refused as too large, so that a commit after this covers every rejected record.
     */
    void settle() {
        outbox.flush();
        if (refused.isEmpty()) {
            return;
        }
        for (ProducerRecord<byte[], byte[]> r = refused.poll(); r != null; r = refused.poll()) {
            sendBounded(r);
        }
        outbox.flush();
    }

    private void sendBounded(ProducerRecord<byte[], byte[]> bounded) {
        metrics.deadLetterTruncated();
        LOG.warnf("dead letter from %s written in bounded form: %s", text(bounded, SOURCE_HEADER),
                text(bounded, TRUNCATED_HEADER));
        outbox.send(bounded);
    }

    private ProducerRecord<byte[], byte[]> bounded(ConsumerRecord<byte[], byte[]> record, RejectReason reason,
            String message, String why) {
        List<Header> headers = new ArrayList<>();
        long kept = 0;
        int dropped = 0;
        for (Header h : record.headers()) {
            long size = h.key().length() + length(h.value());
            if (kept + size <= KEPT_HEADER_BYTES) {
                headers.add(h);
                kept += size;
            } else {
                dropped++;
            }
        }
        headers.addAll(marks(record, reason, message));
        byte[] value = record.value() == null ? null
                : Arrays.copyOf(record.value(), Math.min(record.value().length, KEPT_VALUE_BYTES));
        headers.add(header(TRUNCATED_HEADER, "value cut to its first " + (value == null ? 0 : value.length)
                + " bytes" + (dropped > 0 ? ", " + dropped + " original headers dropped" : "")
                + (length(record.key()) > KEPT_KEY_BYTES ? ", key dropped" : "") + ": " + why));
        headers.add(header(ORIGINAL_SIZE_HEADER, Long.toString(length(record.value()))));
        if (record.value() != null) {
            headers.add(header(ORIGINAL_SHA256_HEADER, Sha256.hex(record.value())));
        }
        byte[] key = length(record.key()) > KEPT_KEY_BYTES ? null : record.key();
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    private static List<Header> marks(ConsumerRecord<byte[], byte[]> record, RejectReason reason, String message) {
        return List.of(header(TrafficHeaders.REJECT_REASON, reason.metricName()),
                header(TrafficHeaders.REJECT_MESSAGE, message),
                header(SOURCE_HEADER, record.topic() + "-" + record.partition() + "@" + record.offset()));
    }

    private static long headerBytes(List<Header> headers) {
        long n = 0;
        for (Header h : headers) {
            n += h.key().length() + length(h.value()) + 8;
        }
        return n;
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static String text(ProducerRecord<byte[], byte[]> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Header header(String key, String value) {
        return new DeadLetterHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A header the reporter adds; Kafka's own implementation is internal. */
    private record DeadLetterHeader(String key, byte[] value) implements Header {
    }
}
