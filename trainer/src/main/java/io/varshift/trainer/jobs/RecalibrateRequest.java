package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.adjust.RecalibrationPlan;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Label-free re-estimation of a deployed model's BN statistics on recent traffic, written as a new
 * version that notes where the data came from. The traffic is either a directory of NPY files or a
 * Kafka topic range of the agent's records; exactly one of {@code data} and {@code kafka} is set.
 *
 * @param data  directory of {@code *.npy} files, each [N, C, H, W] or [C, H, W]; null with Kafka
 * @param kafka topic range of inference-traffic records; null with NPY files
 * @param limit most samples to read (a memory cap; a Kafka read stops there)
 */
public record RecalibrateRequest(String model, Integer version, Path data, KafkaSource kafka, int limit,
                                 int batchSize) implements JobRequest {

    private static final Set<String> FIELDS;

    static {
        Set<String> fields = new HashSet<>(Set.of("model", "version", "data", "limit", "batchSize"));
        fields.addAll(KafkaSource.FIELDS);
        FIELDS = Set.copyOf(fields);
    }

    public RecalibrateRequest {
        JobRequest.requireSource(model, version, limit, 1, 1_000_000, batchSize);
        if (data == null && kafka == null) {
            throw new InvalidRequestException("data", "is required: a directory of NPY files of recent traffic,"
                    + " or give a Kafka topic range (kafkaBootstrap, topic and a range) instead");
        }
        if (data != null && kafka != null) {
            throw new InvalidRequestException("data", "give either a directory of NPY files or a Kafka topic range,"
                    + " not both");
        }
    }

    /** Recalibration on a directory of NPY files. */
    public RecalibrateRequest(String model, Integer version, Path data, int limit, int batchSize) {
        this(model, version, data, null, limit, batchSize);
    }

    @Override
    public JobType type() {
        return JobType.RECALIBRATE;
    }

    /** What the recalibration service re-estimates on. */
    public RecalibrationPlan plan() {
        return new RecalibrationPlan(model, version, data, kafka, limit, batchSize);
    }

    /** A REST data directory is relative to the traffic directory and may not leave it. */
    static RecalibrateRequest fromJson(ObjectNode body, Path trafficDir) {
        BodyFields f = new BodyFields(body, FIELDS);
        boolean kafkaGiven = KafkaSource.FIELDS.stream().anyMatch(k -> BodyFields.present(body, k));
        boolean dataGiven = BodyFields.present(body, "data");
        if (kafkaGiven && dataGiven) {
            throw new InvalidRequestException("data", "give either data (NPY directory) or a Kafka topic range"
                    + " (kafkaBootstrap, topic, ...), not both");
        }
        Path data = null;
        if (!kafkaGiven) {
            data = JobRequest.insideTrafficDirectory("data", f.string("data", null), trafficDir);
        }
        return new RecalibrateRequest(f.string("model", null), f.intOrNull("version"), data,
                kafkaGiven ? KafkaSource.fromJson(body, f) : null, f.integer("limit", 100_000),
                f.integer("batchSize", 256));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = JobRequest.sourceJson(this, version, limit, batchSize);
        if (data != null) {
            o.put("data", data.toString());
        } else {
            kafka.addTo(o);
        }
        return o;
    }
}
