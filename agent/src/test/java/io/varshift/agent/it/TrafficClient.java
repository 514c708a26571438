package io.varshift.agent.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.stack.KafkaBrokerExtension;

/** Plays a serving app (Fashion-MNIST requests, clean or shifted) and reads the agent's output topics. */
public final class TrafficClient implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final ImageSet test = FashionMnist.installed().test();
    private int next = TinyFashionModel.CALIBRATION;

    TrafficClient() {
        this(KafkaBrokerExtension.bootstrapServers());
    }

    /** A client of the broker at {@code bootstrap}; requests up to 4 MiB, so that a test can send oversize records. */
    TrafficClient(String bootstrap) {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20)));
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends n held-out test images; with noiseSd > 0 Gaussian pixel noise is added (a covariate shift). */
    void images(String topic, String model, int n, double noiseSd, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            float[] image = TinyFashionModel.image(test, next);
            next = next + 1 < test.size() ? next + 1 : TinyFashionModel.CALIBRATION;
            if (noiseSd > 0) {
                for (int j = 0; j < image.length; j++) {
                    image[j] += (float) (noiseSd * gaussian(random));
                }
            }
            send(topic, model, "application/x-npy", NpyWriter.float32(image, 1, 28, 28));
        }
        producer.flush();
    }

    /** Sends the given test images (indices into the Fashion-MNIST test split) in this order. */
    void imagesInOrder(String topic, String model, int[] testIndices) {
        for (int i : testIndices) {
            send(topic, model, "application/x-npy", NpyWriter.float32(TinyFashionModel.image(test, i), 1, 28, 28));
        }
        producer.flush();
    }

    /**
     * Test indices of unseen images ([CALIBRATION, 10000)) for {@code n} requests in same-label runs
     * of {@code run} (run labels uniform), or with one label at {@code share} (the rest uniform, per
     * request) when run is 0: clean traffic in the orders a real serving app produces.
     */
    int[] classOrder(int n, int run, int favourite, double share, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Integer>> byLabel = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            byLabel.add(new ArrayList<>());
        }
        for (int i = TinyFashionModel.CALIBRATION; i < test.size(); i++) {
            byLabel.get(test.label(i)).add(i);
        }
        int[] nextOf = new int[10];
        int[] out = new int[n];
        int label = 0;
        for (int i = 0; i < n; i++) {
            if (run > 0) {
                if (i % run == 0) {
                    label = random.nextInt(10);
                }
            } else {
                label = random.nextDouble() < share ? favourite : random.nextInt(10);
            }
            List<Integer> pool = byLabel.get(label);
            out[i] = pool.get(nextOf[label]++ % pool.size());
        }
        return out;
    }

    /** Sends n held-out test images to one partition, so that a test knows every record's offset. */
    void imagesTo(String topic, int partition, String model, int n) {
        for (int i = 0; i < n; i++) {
            float[] image = TinyFashionModel.image(test, next);
            next = next + 1 < test.size() ? next + 1 : TinyFashionModel.CALIBRATION;
            send(topic, partition, model, "application/x-npy", NpyWriter.float32(image, 1, 28, 28));
        }
        producer.flush();
    }

    /** Sends n held-out test images to one partition, each with Gaussian pixel noise of {@code noiseSd} (a covariate shift). */
    void noisyImagesTo(String topic, int partition, String model, int n, double noiseSd, SplittableRandom random) {
        for (int i = 0; i < n; i++) {
            float[] image = TinyFashionModel.image(test, next);
            next = next + 1 < test.size() ? next + 1 : TinyFashionModel.CALIBRATION;
            for (int j = 0; j < image.length; j++) {
                image[j] += (float) (noiseSd * gaussian(random));
            }
            send(topic, partition, model, "application/x-npy", NpyWriter.float32(image, 1, 28, 28));
        }
        producer.flush();
    }

    void send(String topic, String modelOrNull, String contentTypeOrNull, byte[] value) {
        send(topic, null, modelOrNull, contentTypeOrNull, value);
    }

    void send(String topic, Integer partition, String modelOrNull, String contentTypeOrNull, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        if (modelOrNull != null) {
            headers.add("varshift-model", modelOrNull.getBytes(StandardCharsets.UTF_8));
        }
        if (contentTypeOrNull != null) {
            headers.add("content-type", contentTypeOrNull.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(topic, partition, (byte[]) null, value, headers));
    }

    void flush() {
        producer.flush();
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * Every committed record of a single-partition topic, as a read_committed reader sees it: records of
     * aborted transactions are skipped, and reading stops at the last stable offset.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(bootstrap, topic, true)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** A consumer assigned to partition 0 of {@code topic} at its beginning, committing nothing. */
    private static KafkaConsumer<byte[], byte[]> fromBeginning(String bootstrap, String topic, boolean committedOnly) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20)));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        return consumer;
    }

    /** Every record of a single-partition topic from the beginning, read until {@code timeout} of quiet. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast, Duration timeout) {
        return readAll(KafkaBrokerExtension.bootstrapServers(), topic, atLeast, timeout);
    }

    /** As {@link #readAll(String, int, Duration)}, on the broker at {@code bootstrap}. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int atLeast, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(bootstrap, topic, false)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && out.size() < atLeast) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // Anything already in the topic beyond atLeast is read too, so that extra records are seen.
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        producer.close();
    }
}
