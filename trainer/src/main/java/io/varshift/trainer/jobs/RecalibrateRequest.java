package io.varshift.trainer.jobs;

import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.Set;

/**
 * Label-free re-estimation of a deployed model's BN statistics on recent traffic (a directory of NPY
 * files, the agent's record format), written as a new version that notes where the data came from.
 *
 * @param data directory of {@code *.npy} files, each [N, C, H, W] or [C, H, W]
 * @param limit most samples to read (a memory cap)
 */
public record RecalibrateRequest(String model, Integer version, Path data, int limit, int batchSize)
        implements JobRequest {

    private static final Set<String> FIELDS = Set.of("model", "version", "data", "limit", "batchSize");

    public RecalibrateRequest {
        JobRequest.requireSource(model, version, limit, 1, 1_000_000, batchSize);
        if (data == null) {
            throw new InvalidRequestException("data", "is required: a directory of NPY files of recent traffic");
        }
    }

    @Override
    public JobType type() {
        return JobType.RECALIBRATE;
    }

    /** A REST data directory is relative to the traffic directory and may not leave it. */
    static RecalibrateRequest fromJson(JsonObject body, Path trafficDir) {
        JsonFields f = new JsonFields(body, FIELDS);
        String name = f.string("data", null);
        Path data = trafficDir.resolve(name).normalize();
        if (name.isBlank() || Path.of(name).isAbsolute() || !data.startsWith(trafficDir)) {
            throw new InvalidRequestException("data", "'" + name + "' must be a directory relative to the traffic"
                    + " directory " + trafficDir + " (varshift.trainer.traffic-dir) and stay inside it");
        }
        return new RecalibrateRequest(f.string("model", null), f.intOrNull("version"), data,
                f.integer("limit", 100_000), f.integer("batchSize", 256));
    }

    @Override
    public JsonObject toJson() {
        JsonObject o = JobRequest.sourceJson(this, version, limit, batchSize);
        o.addProperty("data", data.toString());
        return o;
    }
}
