package io.varshift.agent.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.varshift.core.alarm.AlarmStateMachine;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.calibration.LayerCalibration;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;

/**
 * Judges one closed window against its model version's reference: per layer the statistics of
 * core's {@link LayerStatistics} with the calibration nearest the window's size, then that layer's
 * alarm state machine. The only place in the agent that computes statistics, so that a core judge
 * returning one typed verdict per window can replace this class whole.
 */
final class WindowJudging {

    private WindowJudging() {
    }

    /** @param alarms the model version's alarm state machines, index i = layer i; advanced here */
    static WindowVerdict judge(ClosedWindow window, List<AlarmStateMachine> alarms) {
        List<LayerReference> references = window.model().layers();
        List<WindowVerdict.Layer> layers = new ArrayList<>(references.size());
        for (int i = 0; i < references.size(); i++) {
            LayerReference ref = references.get(i);
            LayerCalibration calibration = nearest(ref.calibrations(), window.samples());
            LayerStatistics s = LayerStatistics.of(window.moments().get(i), ref, calibration);
            AlarmStateMachine alarm = alarms.get(i);
            // Without a calibration there is no threshold, so the alarm does not move.
            Optional<AlarmTransition> transition = calibration == null ? Optional.empty()
                    : alarm.observe(s.over(), window.windowId(), s.driftScore(), s.driftThreshold());
            layers.add(new WindowVerdict.Layer(ref.name(), s, calibration, transition, alarm.state()));
        }
        return new WindowVerdict(window, layers);
    }

    /**
     * The calibration for the window size nearest (in ratio) to {@code samples}; the calibration
     * rescales its statistic by samples/windowSize, exact asymptotically. Null when there is none.
     */
    static LayerCalibration nearest(List<LayerCalibration> calibrations, long samples) {
        LayerCalibration best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (LayerCalibration c : calibrations) {
            double distance = Math.abs(Math.log((double) samples / c.windowSize()));
            if (distance < bestDistance) {
                best = c;
                bestDistance = distance;
            }
        }
        return best;
    }
}
