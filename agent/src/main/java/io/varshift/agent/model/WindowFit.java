package io.varshift.agent.model;

import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.reference.ModelReference;

/**
 * Whether a model version's calibration fits the agent's count window: the null is bootstrapped for
 * given window sizes, and a window far from all of them is judged against the wrong null. A count
 * window outside [calibrated / {@value #TOLERANCE}, calibrated × {@value #TOLERANCE}] of the nearest
 * calibrated size is refused unless {@code allowUncalibrated}. Time-only windows (samples 0) vary
 * in size and are judged at the nearest calibrated size.
 */
public record WindowFit(int windowSamples, boolean allowUncalibrated) {

    static final double TOLERANCE = 1.5;

    /** @throws IllegalArgumentException naming both sizes and the fix */
    public void require(String model, String version, ModelReference reference) {
        if (windowSamples <= 0 || allowUncalibrated || reference.calibration().isEmpty()) {
            return;
        }
        ModelCalibration calibration = reference.calibration().get();
        int calibrated = calibration.nearest(windowSamples).windowSize();
        double ratio = (double) windowSamples / calibrated;
        if (ratio > TOLERANCE || ratio < 1 / TOLERANCE) {
            throw new IllegalArgumentException("model '" + model + "' v" + version + " is calibrated for windows of "
                    + calibration.windowSizes() + " samples but varshift.agent.window.samples = " + windowSamples
                    + " (nearest " + calibrated + ", outside x" + TOLERANCE + "); set window.samples to a calibrated "
                    + "size, retrain with --window-sizes including " + windowSamples + ", or set "
                    + "varshift.agent.window.allow-uncalibrated=true to judge it against the nearest null anyway");
        }
    }
}
