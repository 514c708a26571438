package io.varshift.core.window;

import io.varshift.core.shift.LayerStatistics;

/**
 * One BN layer in a judged window: the paper's statistics against the stored running moments
 * (variance ratio and shifts) and the calibrated covariate-drift signal that localises a model alarm.
 */
public record LayerVerdict(String layer, LayerStatistics statistics, Signal drift) {
}
