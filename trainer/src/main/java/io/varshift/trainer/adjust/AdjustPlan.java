package io.varshift.trainer.adjust;

/**
 * Adjust BN of a model version on its training data.
 *
 * @param version null for the latest
 * @param limit training samples to use (0 = all)
 */
public record AdjustPlan(String model, Integer version, int limit, int batchSize) {
}
