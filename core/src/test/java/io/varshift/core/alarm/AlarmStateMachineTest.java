package io.varshift.core.alarm;

import static io.varshift.core.alarm.AlarmState.ALARM;
import static io.varshift.core.alarm.AlarmState.OK;
import static io.varshift.core.alarm.AlarmState.RECOVERING;
import static io.varshift.core.alarm.AlarmState.SUSPECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlarmStateMachineTest {

    /** Feeds windows 1, 2, ... ('x' over, '.' clean) and returns "from>to@window" for every transition. */
    private static List<String> run(AlarmStateMachine machine, String windows) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < windows.length(); i++) {
            boolean over = windows.charAt(i) == 'x';
            machine.observe(over, i + 1, over ? 5 : 0, 4).ifPresent(t -> out.add(t.from() + ">" + t.to() + "@" + t.windowId()));
        }
        return out;
    }

    @Test
    void alarmFiresAfterTwoOverWindowsAndClearsAfterThreeCleanOnes() {
        AlarmStateMachine m = new AlarmStateMachine();
        assertThat(run(m, "..xx...."))
                .containsExactly("OK>SUSPECT@3", "SUSPECT>ALARM@4", "ALARM>RECOVERING@5", "RECOVERING>OK@7");
        assertThat(m.state()).isEqualTo(OK);
    }

    @Test
    void singleOverWindowOnlyRaisesSuspicion() {
        AlarmStateMachine m = new AlarmStateMachine();
        assertThat(run(m, ".x.x.")).containsExactly("OK>SUSPECT@2", "SUSPECT>OK@3", "OK>SUSPECT@4", "SUSPECT>OK@5");
    }

    @Test
    void overWindowWhileRecoveringReturnsToAlarmAndRestartsTheCleanCount() {
        AlarmStateMachine m = new AlarmStateMachine();
        assertThat(run(m, "xx..x..."))
                .containsExactly("OK>SUSPECT@1", "SUSPECT>ALARM@2", "ALARM>RECOVERING@3", "RECOVERING>ALARM@5",
                        "ALARM>RECOVERING@6", "RECOVERING>OK@8");
    }

    @Test
    void transitionCarriesTheStatisticAndThreshold() {
        AlarmStateMachine m = new AlarmStateMachine();
        AlarmTransition t = m.observe(true, 42, 7.5, 4.2).orElseThrow();
        assertThat(t).isEqualTo(new AlarmTransition(OK, SUSPECT, 42, 7.5, 4.2));
        assertThat(m.observe(true, 43, 8, 4.2)).get().extracting(AlarmTransition::to).isEqualTo(ALARM);
        assertThat(m.observe(true, 44, 8, 4.2)).isEmpty();
    }

    @Test
    void hysteresisOfOneSkipsTheIntermediateStates() {
        AlarmStateMachine m = new AlarmStateMachine(1, 1);
        assertThat(run(m, "x.")).containsExactly("OK>ALARM@1", "ALARM>OK@2");
    }

    @Test
    void longerHysteresisNeedsLongerRuns() {
        AlarmStateMachine m = new AlarmStateMachine(3, 2);
        assertThat(run(m, "xx.xxx.x..")).containsExactly("OK>SUSPECT@1", "SUSPECT>OK@3", "OK>SUSPECT@4",
                "SUSPECT>ALARM@6", "ALARM>RECOVERING@7", "RECOVERING>ALARM@8", "ALARM>RECOVERING@9", "RECOVERING>OK@10");
        assertThat(RECOVERING.gaugeValue()).isEqualTo(3);
        assertThat(ALARM.gaugeValue()).isEqualTo(2);
    }

    @Test
    void hysteresisBelowOneIsRefused() {
        assertThatThrownBy(() -> new AlarmStateMachine(0, 3)).hasMessageContaining("enterAfter = 0");
    }
}
