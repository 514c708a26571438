package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.adjust.AdjustPlan;

import java.util.Set;

/**
 * The paper's Adjust BN on training data: re-estimate every BN layer's running statistics in eval
 * mode, layer by layer, and write a new version.
 *
 * @param version null for the latest
 * @param limit training samples to use (0 = all)
 */
public record AdjustBnRequest(String model, Integer version, int limit, int batchSize) implements JobRequest {

    private static final Set<String> FIELDS = Set.of("model", "version", "limit", "batchSize");

    public AdjustBnRequest {
        JobRequest.requireSource(model, version, limit, 0, 60_000, batchSize);
    }

    @Override
    public JobType type() {
        return JobType.ADJUST_BN;
    }

    /** What the Adjust BN service re-estimates. */
    public AdjustPlan plan() {
        return new AdjustPlan(model, version, limit, batchSize);
    }

    static AdjustBnRequest fromJson(ObjectNode body) {
        BodyFields f = new BodyFields(body, FIELDS);
        return new AdjustBnRequest(f.string("model", null), f.intOrNull("version"), f.integer("limit", 10_000),
                f.integer("batchSize", 256));
    }

    @Override
    public ObjectNode toJson() {
        return JobRequest.sourceJson(this, version, limit, batchSize);
    }
}
