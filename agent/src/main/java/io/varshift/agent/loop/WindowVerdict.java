package io.varshift.agent.loop;

import java.util.List;
import java.util.Optional;

import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.calibration.LayerCalibration;
import io.varshift.core.shift.LayerStatistics;

/**
 * The judgement of one closed window: one entry per probed layer, in the model's layer order. The
 * results publisher, the metrics and the status view read this and nothing else of the judgement.
 */
record WindowVerdict(ClosedWindow window, List<Layer> layers) {

    WindowVerdict {
        layers = List.copyOf(layers);
    }

    /**
     * One layer's statistics against its reference, and its alarm state after this window.
     *
     * @param calibration the calibration used (window size nearest the window's), null when the model has none
     * @param transition the alarm transition this window caused, if any
     */
    record Layer(String name, LayerStatistics statistics, LayerCalibration calibration,
            Optional<AlarmTransition> transition, AlarmState state) {
    }
}
