package io.varshift.trainer.adjust;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.codec.RejectReason;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.trainer.jobs.KafkaSource;
import io.varshift.trainer.progress.JobContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a fixed range of a topic of inference-traffic records (the agent's format) into an unlabelled
 * image set. A plain consumer with assign + seek: no group, no commits, so the agent's consumer group
 * is never disturbed. Records of other models or that do not decode are counted by reason and skipped.
 */
public final class KafkaTraffic {

    private static final Duration POLL = Duration.ofMillis(500);

    /** The samples read and the note of what was read (topic, ranges, counts, rejects by reason). */
    public record Result(ImageSet images, ObjectNode note) {
    }

    /** One partition's planned range {@code [start, end)} and what was read of it. */
    private static final class Range {
        final TopicPartition tp;
        final long start;
        final long end;
        long first = -1;
        long lastRead = -1;
        long records;
        long samples;

        Range(TopicPartition tp, long start, long end) {
            this.tp = tp;
            this.start = start;
            this.end = Math.max(start, end);
        }
    }

    private KafkaTraffic() {
    }

    /**
     * Reads the source's range of every selected partition, at most {@code limit} samples in all.
     *
     * @throws IllegalArgumentException when the broker cannot be reached in time, the topic or a partition
     *                                  does not exist, or no valid sample of the model is in the range
     */
    public static Result read(KafkaSource source, String model, long[] sampleShape, int limit, JobContext context) {
        Duration timeout = Duration.ofSeconds(source.timeoutSeconds());
        try (KafkaConsumer<byte[], byte[]> consumer = open(source)) {
            List<Range> ranges = plan(consumer, source, timeout);
            return consume(consumer, ranges, source, model, sampleShape, limit, timeout, context);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable(source, timeout, e);
        } catch (KafkaException e) {
            throw new IllegalArgumentException("Kafka read of topic '" + source.topic() + "' at "
                    + source.bootstrap() + " failed: " + e.getMessage(), e);
        }
    }

    private static KafkaConsumer<byte[], byte[]> open(KafkaSource source) {
        Properties props = new Properties();
        props.putAll(source.properties());
        int timeoutMs = Math.toIntExact(source.timeoutSeconds() * 1000L);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // Offsets are clamped to the log start before seeking; "earliest" only covers retention racing us.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "varshift-trainer-recalibrate");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        props.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(timeoutMs, 30_000)));
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        try {
            return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException("cannot create a Kafka consumer for " + source.bootstrap() + ": "
                    + cause.getMessage() + " (check kafkaBootstrap and kafkaProperties)", e);
        }
    }

    /** Resolves the requested range of each partition to offsets, against the log as it is now. */
    private static List<Range> plan(KafkaConsumer<byte[], byte[]> consumer, KafkaSource source, Duration timeout) {
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
        List<PartitionInfo> infos = topics.get(source.topic());
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("topic '" + source.topic() + "' does not exist at "
                    + source.bootstrap() + "; existing topics: " + topics.keySet().stream().sorted().toList());
        }
        List<Integer> existing = infos.stream().map(PartitionInfo::partition).sorted().toList();
        List<Integer> chosen = source.partitions().isEmpty() ? existing : source.partitions();
        for (int p : chosen) {
            if (!existing.contains(p)) {
                throw new IllegalArgumentException("partition " + p + " of topic '" + source.topic()
                        + "' does not exist; the topic has partitions " + existing);
            }
        }
        List<TopicPartition> tps = chosen.stream().map(p -> new TopicPartition(source.topic(), p)).toList();
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
        Map<TopicPartition, OffsetAndTimestamp> fromTime = times(consumer, tps, source.fromTime(), timeout);
        Map<TopicPartition, OffsetAndTimestamp> toTime = times(consumer, tps, source.toTime(), timeout);
        return tps.stream().map(tp -> {
            long b = begin.get(tp);
            long e = end.get(tp);
            if (source.last() != null) {
                return new Range(tp, Math.max(b, e - source.last()), e);
            }
            if (source.fromOffset() != null) {
                long to = source.toOffset() == null ? e : Math.min(e, source.toOffset());
                return new Range(tp, Math.max(b, source.fromOffset()), to);
            }
            // offsetsForTimes gives the first record at or after the time; none means past the end.
            long start = offsetOr(fromTime.get(tp), e);
            long stop = source.toTime() == null ? e : offsetOr(toTime.get(tp), e);
            return new Range(tp, Math.max(b, start), stop);
        }).toList();
    }

    private static Map<TopicPartition, OffsetAndTimestamp> times(KafkaConsumer<byte[], byte[]> consumer,
                                                                 List<TopicPartition> tps, Instant time,
                                                                 Duration timeout) {
        if (time == null) {
            return Map.of();
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        return found == null ? Map.of() : found;
    }

    private static long offsetOr(OffsetAndTimestamp found, long fallback) {
        return found == null ? fallback : found.offset();
    }

    private static Result consume(KafkaConsumer<byte[], byte[]> consumer, List<Range> ranges, KafkaSource source,
                                  String model, long[] sampleShape, int limit, Duration timeout,
                                  JobContext context) {
        int[] shape = Arrays.stream(sampleShape).mapToInt(Math::toIntExact).toArray();
        int sampleSize = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        RecordDecoders decoders = new RecordDecoders(shape, DecodeLimits.DEFAULT);
        DecodeTarget target = new DecodeTarget(sampleSize);
        Map<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
        Map<TopicPartition, Range> open = new LinkedHashMap<>();
        long planned = 0;
        for (Range r : ranges) {
            if (r.end > r.start) {
                open.put(r.tp, r);
                planned += r.end - r.start;
            }
        }
        consumer.assign(open.keySet());
        open.values().forEach(r -> consumer.seek(r.tp, r.start));
        float[] all = new float[0];
        int samples = 0;
        long records = 0;
        boolean capped = false;
        long idleSince = System.nanoTime();
        while (!open.isEmpty() && !capped) {
            context.checkCancelled();
            boolean progressed = false;
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                Range r = open.get(new TopicPartition(record.topic(), record.partition()));
                if (r == null || record.offset() >= r.end) {
                    continue;
                }
                progressed = true;
                records++;
                r.records++;
                r.first = r.first < 0 ? record.offset() : r.first;
                r.lastRead = record.offset();
                DecodeResult result = decode(record, model, decoders, target);
                if (!result.isOk()) {
                    rejects.merge(result.reason(), 1L, Long::sum);
                    continue;
                }
                int take = Math.min(result.samples(), limit - samples);
                int need = (samples + take) * sampleSize;
                if (need > all.length) {
                    all = Arrays.copyOf(all, (int) Math.min((long) limit * sampleSize,
                            Math.max(need, 2L * all.length)));
                }
                target.floatBuffer().get(all, samples * sampleSize, take * sampleSize);
                samples += take;
                r.samples += take;
                if (samples >= limit) {
                    capped = true;
                    break;
                }
            }
            // Gaps (compaction, transaction markers) mean the position, not the last record, ends a range.
            for (Range r : List.copyOf(open.values())) {
                if (consumer.position(r.tp, timeout) >= r.end) {
                    open.remove(r.tp);
                    consumer.pause(List.of(r.tp));
                    progressed = true;
                }
            }
            if (progressed) {
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince > timeout.toNanos()) {
                throw new IllegalArgumentException("Kafka read of topic '" + source.topic() + "' at "
                        + source.bootstrap() + " made no progress for " + timeout.toSeconds() + " s with partitions "
                        + open.keySet() + " unfinished; is the broker reachable?");
            }
            context.progress(planned == 0 ? 1 : Math.min(1.0, (double) records / planned), "reading Kafka traffic");
        }
        ObjectNode note = note(source, ranges, records, samples, capped, rejects);
        if (samples == 0) {
            throw new IllegalArgumentException("no valid sample of model '" + model + "' in topic '" + source.topic()
                    + "' " + source.rangeDescription() + ": " + records + " records read, rejects "
                    + Json.compact(note.get("rejects")) + "; widen the range or check the varshift-model header");
        }
        return new Result(ImageSet.ofFloats(Arrays.copyOf(all, samples * sampleSize), null, sampleShape), note);
    }

    /** The agent's checks: the model header must name this model, then the value must decode. */
    private static DecodeResult decode(ConsumerRecord<byte[], byte[]> record, String model,
                                       RecordDecoders decoders, DecodeTarget target) {
        String named = header(record, TrafficHeaders.MODEL);
        if (named == null) {
            return DecodeResult.rejected(RejectReason.MISSING_MODEL_HEADER, "no " + TrafficHeaders.MODEL + " header");
        }
        if (!named.equals(model)) {
            return DecodeResult.rejected(RejectReason.UNKNOWN_MODEL, "record of model '" + named + "'");
        }
        return decoders.decode(header(record, TrafficHeaders.CONTENT_TYPE), record.value(), target);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static ObjectNode note(KafkaSource source, List<Range> ranges, long records, int samples,
                                   boolean capped, Map<RejectReason, Long> rejects) {
        ObjectNode note = Json.object();
        note.put("kind", "kafka");
        note.put("bootstrap", source.bootstrap());
        note.put("topic", source.topic());
        note.put("range", source.rangeDescription());
        ArrayNode partitions = note.putArray("partitions");
        for (Range r : ranges) {
            ObjectNode p = partitions.addObject();
            p.put("partition", r.tp.partition());
            p.put("fromOffset", r.start);
            p.put("toOffset", r.end);
            p.put("firstOffsetRead", r.first < 0 ? null : (Long) r.first);
            p.put("lastOffsetRead", r.lastRead < 0 ? null : (Long) r.lastRead);
            p.put("records", r.records);
            p.put("samples", r.samples);
        }
        note.put("records", records);
        note.put("samples", samples);
        note.put("capped", capped);
        ObjectNode byReason = note.putObject("rejects");
        rejects.forEach((reason, n) -> byReason.put(reason.metricName(), n));
        return note;
    }

    private static IllegalArgumentException unreachable(KafkaSource source, Duration timeout, Exception e) {
        return new IllegalArgumentException("Kafka broker at " + source.bootstrap() + " did not answer within "
                + timeout.toSeconds() + " s (" + e.getMessage() + "); check kafkaBootstrap, that the broker is up,"
                + " and kafkaProperties for a secured cluster", e);
    }
}
