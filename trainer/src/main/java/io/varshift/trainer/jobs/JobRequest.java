package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import io.varshift.core.artifact.ModelStore;
import java.util.List;

/**
 * A validated job: the same record whether it came from a REST body or from command-line options.
 * Construction validates every field and throws {@link InvalidRequestException} naming it.
 */
public sealed interface JobRequest permits TrainRequest, ReportRequest, AdjustBnRequest, RecalibrateRequest,
        ImportRequest {

    JobType type();

    /** Name of the model the job reads or writes. */
    String model();

    /** The request as JSON (the REST body form), echoed by GET /jobs. */
    ObjectNode toJson();

    /** Parses and validates a REST body {@code {type, model, ...}}. */
    static JobRequest fromJson(ObjectNode body, JobDefaults defaults) {
        if (body == null) {
            throw new InvalidRequestException("body", "a JSON object is required");
        }
        return switch (JobType.fromWireName("type", BodyFields.lenient(body).string("type", null))) {
            case TRAIN -> TrainRequest.fromJson(body, defaults);
            case REPORT -> ReportRequest.fromJson(body);
            case ADJUST_BN -> AdjustBnRequest.fromJson(body);
            case RECALIBRATE -> RecalibrateRequest.fromJson(body, defaults.trafficDir());
            case IMPORT -> ImportRequest.fromJson(body, defaults);
        };
    }

    /** Checks a model name with the model store's own rule, so nothing can traverse paths. */
    static String requireName(String field, String value) {
        if (!ModelStore.isValidModelName(value)) {
            throw new InvalidRequestException(field, "'" + value + "' is not a valid model name; use 1-64 lower-case"
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'");
        }
        return value;
    }

    /**
     * A folder named in a REST body: relative to the traffic directory and inside it, so that a
     * client reads only what the operator put there.
     */
    static java.nio.file.Path insideTrafficDirectory(String field, String name, java.nio.file.Path trafficDir) {
        java.nio.file.Path resolved = trafficDir.resolve(name).normalize();
        if (name.isBlank() || java.nio.file.Path.of(name).isAbsolute() || !resolved.startsWith(trafficDir)) {
            throw new InvalidRequestException(field, "'" + name + "' must be a directory relative to the traffic"
                    + " directory " + trafficDir + " (varshift.trainer.traffic-dir) and stay inside it");
        }
        return resolved;
    }

    /**
     * Checks the calibration a new version gets (train, import): 1..16 window sizes of at least 2, a rate
     * in (0, 0.5), 100..1 000 000 bootstrap replicates; returns an unmodifiable copy of the sizes.
     */
    static List<Integer> requireCalibration(List<Integer> windowSizes, double falseAlarmRate, int replicates) {
        if (windowSizes == null || windowSizes.isEmpty() || windowSizes.size() > 16) {
            throw new InvalidRequestException("windowSizes", "give 1..16 window sizes, got " + windowSizes);
        }
        for (int w : windowSizes) {
            requireRange("windowSizes", w, 2, 1_000_000);
        }
        if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
            throw new InvalidRequestException("falseAlarmRate", falseAlarmRate + " is out of range; use 0 < rate < 0.5"
                    + " (e.g. 1e-4)");
        }
        requireRange("replicates", replicates, 100, 1_000_000);
        return List.copyOf(windowSizes);
    }

    /** The JSON form's head of a job that builds a model: type, model and the named flat spec fields. */
    static ObjectNode specJson(JobRequest request, io.varshift.core.spec.ModelSpec spec, List<String> specFields) {
        ObjectNode o = Json.object();
        o.put("type", request.type().wireName());
        o.put("model", request.model());
        ObjectNode s = spec.toJson();
        for (String key : specFields) {
            o.set(key, s.get(key));
        }
        return o;
    }

    /** Writes the calibration fields of a train or import request's JSON form. */
    static void addCalibration(ObjectNode o, List<Integer> windowSizes, double falseAlarmRate, int replicates) {
        ArrayNode windows = o.putArray("windowSizes");
        windowSizes.forEach(windows::add);
        o.put("falseAlarmRate", falseAlarmRate);
        o.put("replicates", replicates);
    }

    /** Checks an optional version number (null means the latest). */
    static Integer requireVersion(Integer version) {
        if (version != null && version < 1) {
            throw new InvalidRequestException("version", version + " is not a version; versions start at 1"
                    + " (leave it out for the latest)");
        }
        return version;
    }

    /** Validates the fields of a job on an existing model version. */
    static void requireSource(String model, Integer version, int limit, int minLimit, int maxLimit, int batchSize) {
        requireName("model", model);
        requireVersion(version);
        requireRange("limit", limit, minLimit, maxLimit);
        requireRange("batchSize", batchSize, 1, 4096);
    }

    /** The JSON form shared by jobs on an existing model version. */
    static ObjectNode sourceJson(JobRequest request, Integer version, int limit, int batchSize) {
        ObjectNode o = Json.object();
        o.put("type", request.type().wireName());
        o.put("model", request.model());
        o.put("version", version);
        o.put("limit", limit);
        o.put("batchSize", batchSize);
        return o;
    }

    static int requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidRequestException(field, value + " is out of range; use " + min + ".." + max);
        }
        return value;
    }
}
