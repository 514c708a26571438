package io.varshift.core.window;

import io.varshift.core.shift.LayerStatistics;

/**
 * One BN layer in a judged window: the paper's statistics against the stored running moments
 * (variance ratio and shifts), the calibrated covariate-drift signal that localises a model alarm,
 * and the scores (−log10 p) of the layer's two tests behind it: the channel moments and the cell
 * score. Both scores are NaN for an unjudged window.
 */
public record LayerVerdict(String layer, LayerStatistics statistics, Signal drift, double momentScore,
        double cellScore) {
}
