package io.varshift.stack.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Sends records to one topic with an idempotent producer; the first failed send stops the replay. */
final class KafkaSink implements RecordSink {

    private final String bootstrap;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    KafkaSink(String bootstrap, String topic, Duration timeout) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        int timeoutMs = (int) timeout.toMillis();
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + 5,
                ProducerConfig.CLIENT_ID_CONFIG, "varshift-replay");
        try {
            this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new ReplayException("cannot create a Kafka producer for " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void send(byte[] value, Map<String, String> headers) {
        throwIfFailed();
        RecordHeaders kafkaHeaders = new RecordHeaders();
        headers.forEach((k, v) -> kafkaHeaders.add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(new ProducerRecord<>(topic, null, null, null, value, kafkaHeaders), (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
        } catch (KafkaException e) {
            throw failed(e);
        }
    }

    @Override
    public void flush() {
        try {
            producer.flush();
        } catch (KafkaException e) {
            throw failed(e);
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw failed(e);
        }
    }

    private ReplayException failed(Exception e) {
        return new ReplayException("sending to topic " + topic + " on " + bootstrap + " failed: " + e.getMessage()
                + "; is the broker up (./varshift stack up) and does the topic exist or may it be auto-created?", e);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
