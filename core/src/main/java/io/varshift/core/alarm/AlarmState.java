package io.varshift.core.alarm;

/** A layer's alarm state; {@link #gaugeValue()} is what varshift_layer_alarm_state exports. */
public enum AlarmState {
    OK, SUSPECT, ALARM, RECOVERING;

    /** 0 ok, 1 suspect, 2 alarm, 3 recovering. */
    public int gaugeValue() {
        return ordinal();
    }
}
