package io.varshift.core.window;

import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.AlarmTransition;
import java.util.Optional;

/**
 * One judged signal of a window (a layer's covariate drift, the whole model's, or the prediction
 * mix): its score −log10 p against the threshold −log10 α, whether it is over, and the alarm state
 * after this window with the transition it caused, if any.
 */
public record Signal(double score, double threshold, boolean over, AlarmState state,
        Optional<AlarmTransition> transition) {

    /** A signal that could not be judged (no calibration): NaN score, never over, state unchanged. */
    static Signal unjudged(AlarmState state) {
        return new Signal(Double.NaN, Double.NaN, false, state, Optional.empty());
    }
}
