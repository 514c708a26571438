package io.varshift.trainer.report;

/**
 * What a report measures: a model version and how many samples of each split.
 *
 * @param version null for the latest
 * @param limit samples per split (0 = the whole split)
 */
public record ReportPlan(String model, Integer version, int limit, int batchSize) {
}
