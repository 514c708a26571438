package io.varshift.trainer.remediation;

import io.varshift.core.alarm.AlarmState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.varshift.core.alarm.AlarmState.ALARM;
import static io.varshift.core.alarm.AlarmState.OK;
import static io.varshift.core.alarm.AlarmState.SUSPECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlarmTrackerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int W = 100;

    /** K = 2 ALARM windows, 300 samples to recalibrate on plus 1 window to verify on, interval 1 h. */
    private final AlarmTracker tracker = new AlarmTracker(2, 300, 1, Duration.ofHours(1));
    private long number;

    private WindowResult window(String model, int version, AlarmState state, AlarmState mix) {
        long n = number++;
        return new WindowResult(model, version, n, true, W, state, state != OK, mix,
                List.of(new WindowResult.Range("traffic", 0, n * W, n * W + W - 1)));
    }

    private List<AlarmTracker.Decision> feed(String model, int version, AlarmState mix, AlarmState... states) {
        List<AlarmTracker.Decision> out = new ArrayList<>();
        for (AlarmState s : states) {
            out.add(tracker.observe(window(model, version, s, mix), T0));
        }
        return out;
    }

    @Test
    void aPersistentModelAlarmTriggersOnceWithTheOffsetsOfItsEpisode() {
        feed("m", 1, OK, OK, OK, OK);
        List<AlarmTracker.Decision> d = feed("m", 1, OK, SUSPECT, ALARM, ALARM, ALARM, ALARM, ALARM);
        // 400 samples (300 + 1 window) are there at the fourth window of the episode.
        assertThat(d.subList(0, 3)).allMatch(x -> x instanceof AlarmTracker.None);
        assertThat(d.get(3)).isInstanceOf(AlarmTracker.Start.class);
        Trigger t = ((AlarmTracker.Start) d.get(3)).trigger();
        assertThat(t.windows()).containsExactly(3L, 4L, 5L, 6L);
        assertThat(t.ranges()).containsExactly(new WindowResult.Range("traffic", 0, 300, 699));
        assertThat(t.samples()).isEqualTo(400);
        assertThat(t.alarmWindows()).isEqualTo(3);
        assertThat(d.subList(4, 5)).allMatch(x -> x instanceof AlarmTracker.None);
    }

    @Test
    void aPredictionMixAlarmAloneNeverTriggers() {
        List<AlarmTracker.Decision> d = feed("m", 1, ALARM, OK, OK, OK, OK, OK, OK, OK, OK);
        assertThat(d).allMatch(x -> x instanceof AlarmTracker.None);
    }

    @Test
    void anAlarmThatDoesNotPersistKWindowsInARowDoesNotTrigger() {
        List<AlarmTracker.Decision> d = feed("m", 1, OK, SUSPECT, ALARM, AlarmState.RECOVERING, ALARM,
                AlarmState.RECOVERING, ALARM, OK);
        assertThat(d).allMatch(x -> x instanceof AlarmTracker.None);
    }

    @Test
    void aNewVersionStartsANewEpisode() {
        feed("m", 1, OK, SUSPECT, ALARM, ALARM);
        List<AlarmTracker.Decision> d = feed("m", 2, OK, ALARM, ALARM, ALARM);
        assertThat(d).allMatch(x -> x instanceof AlarmTracker.None);
        assertThat(feed("m", 2, OK, ALARM).get(0)).isInstanceOf(AlarmTracker.Start.class);
    }

    @Test
    void withinTheIntervalASecondEpisodeIsHeldAndAfterItStarts() {
        AlarmTracker.Decision first = feed("m", 1, OK, ALARM, ALARM, ALARM, ALARM).get(3);
        assertThat(first).isInstanceOf(AlarmTracker.Start.class);
        tracker.started("m", T0);
        tracker.finished("m");
        feed("m", 1, OK, OK);
        List<AlarmTracker.Decision> again = feed("m", 1, OK, ALARM, ALARM, ALARM, ALARM, ALARM);
        assertThat(again.get(3)).isInstanceOfSatisfying(AlarmTracker.Held.class,
                h -> assertThat(h.reason()).contains("rate limit").contains("remediation.interval"));
        assertThat(again.get(4)).as("held once per episode").isInstanceOf(AlarmTracker.None.class);
        feed("m", 1, OK, OK);
        for (int i = 0; i < 3; i++) {
            tracker.observe(window("m", 1, ALARM, OK), T0.plus(Duration.ofHours(2)));
        }
        assertThat(tracker.observe(window("m", 1, ALARM, OK), T0.plus(Duration.ofHours(2))))
                .isInstanceOf(AlarmTracker.Start.class);
    }

    @Test
    void aModelWhoseRemediationRunsIsHeldButAnotherModelIsNot() {
        tracker.started("m", T0.minus(Duration.ofHours(2)));
        assertThat(feed("m", 1, OK, ALARM, ALARM, ALARM, ALARM).get(3)).isInstanceOfSatisfying(AlarmTracker.Held.class,
                h -> assertThat(h.reason()).contains("already running"));
        assertThat(feed("n", 1, OK, ALARM, ALARM, ALARM, ALARM).get(3)).isInstanceOf(AlarmTracker.Start.class);
    }

    @Test
    void unjudgedWindowsNeitherCountNorEndAnEpisode() {
        feed("m", 1, OK, ALARM, ALARM);
        tracker.observe(new WindowResult("m", 1, number++, false, 10, OK, false, OK, List.of()), T0);
        assertThat(feed("m", 1, OK, ALARM, ALARM).get(1)).isInstanceOf(AlarmTracker.Start.class);
    }

    @Test
    void aWindowResultIsParsedAndBadOnesAreRefusedNamingWhatIsWrong() {
        String good = "{\"schemaVersion\":2,\"model\":\"fmnist\",\"version\":\"3\",\"windowId\":\"ab\",\"windowNumber\":12,"
                + "\"samples\":1000,\"judged\":true,\"modelVerdict\":{\"score\":4.1,\"threshold\":3.0,\"over\":true,"
                + "\"state\":\"ALARM\"},\"predictionMix\":{\"score\":0.7,\"threshold\":3.0,\"over\":false,\"state\":\"OK\"},"
                + "\"offsets\":[{\"topic\":\"traffic\",\"partition\":0,\"first\":5000,\"last\":5999}]}";
        WindowResult w = WindowResult.parse(good.getBytes(StandardCharsets.UTF_8));
        assertThat(w).isEqualTo(new WindowResult("fmnist", 3, 12, true, 1000, ALARM, true, OK,
                List.of(new WindowResult.Range("traffic", 0, 5000, 5999))));
        assertThatThrownBy(() -> WindowResult.parse(good.replace("\"schemaVersion\":2", "\"schemaVersion\":9")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("schemaVersion 9 is not supported");
        assertThatThrownBy(() -> WindowResult.parse(good.replace(",\"judged\":true", "")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("missing");
        assertThatThrownBy(() -> WindowResult.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> WindowResult.parse(good.replace("\"last\":5999", "\"last\":4000")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not a range");
    }
}
