package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.report.ReportPlan;

import java.util.Set;

/**
 * Measure a model's variance shift per BN layer on training and held-out data, beside the theory.
 *
 * @param version null for the latest
 * @param limit samples per split (0 = the whole split)
 */
public record ReportRequest(String model, Integer version, int limit, int batchSize) implements JobRequest {

    private static final Set<String> FIELDS = Set.of("model", "version", "limit", "batchSize");

    public ReportRequest {
        JobRequest.requireSource(model, version, limit, 0, 60_000, batchSize);
    }

    @Override
    public JobType type() {
        return JobType.REPORT;
    }

    /** What the report service measures. */
    public ReportPlan plan() {
        return new ReportPlan(model, version, limit, batchSize);
    }

    static ReportRequest fromJson(ObjectNode body) {
        BodyFields f = new BodyFields(body, FIELDS);
        return new ReportRequest(f.string("model", null), f.intOrNull("version"), f.integer("limit", 10_000),
                f.integer("batchSize", 256));
    }

    @Override
    public ObjectNode toJson() {
        return JobRequest.sourceJson(this, version, limit, batchSize);
    }
}
