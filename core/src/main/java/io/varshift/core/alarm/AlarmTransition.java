package io.varshift.core.alarm;

/**
 * A change of a layer's alarm state, caused by the window {@code windowId}.
 *
 * @param statistic the drift score of that window
 * @param threshold the threshold it was compared with
 */
public record AlarmTransition(AlarmState from, AlarmState to, long windowId, double statistic, double threshold) {
}
