package io.varshift.trainer.report;

import io.varshift.core.shift.LayerStatistics;

/**
 * One BN layer of a report.
 *
 * @param movingVariance channel-averaged stored running variance
 * @param onTrain statistics of the layer input in eval mode on training data vs the stored ones
 * @param onHeldOut the same on held-out data
 * @param theory Δ for a dropout directly before the layer; null when there is none
 */
public record LayerShift(String layer, int channels, double movingVariance, LayerStatistics onTrain,
                         LayerStatistics onHeldOut, DropoutTheory theory) {
}
