package io.varshift.stack.quickstart;

import org.junit.jupiter.api.Test;

import io.varshift.core.json.Json;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineTest {

    private static String window(long number, long first, long last, String state) {
        return """
                {"schemaVersion":1,"model":"fmnist","version":"1","windowNumber":%d,"samples":%d,
                 "layers":[{"layer":"block1.bn1","varianceRatio":1.01,"varianceShift":1.01,"driftScore":0.3,
                            "driftThreshold":3.7,"over":false,"state":"%s"},
                           {"layer":"block2.bn1","varianceRatio":null,"varianceShift":null,"driftScore":null,
                            "driftThreshold":null,"over":false,"state":"OK"}],
                 "offsets":[{"topic":"traffic","partition":0,"first":%d,"last":%d},
                            {"topic":"other","partition":0,"first":0,"last":99999}]}
                """.formatted(number, last - first + 1, state, first, last);
    }

    @Test
    void windowsArePlacedInPhasesByTheTrafficOffsetsTheyCover() {
        Timeline timeline = new Timeline("traffic", 200);
        timeline.addWindow(Json.parseObject(window(0, 0, 99, "OK")));
        timeline.addWindow(Json.parseObject(window(1, 100, 199, "OK")));
        timeline.addWindow(Json.parseObject(window(2, 150, 249, "SUSPECT")));
        timeline.addWindow(Json.parseObject(window(3, 250, 349, "ALARM")));

        assertThat(timeline.windows()).extracting(Timeline.Window::phase).containsExactly(
                Timeline.Phase.CLEAN, Timeline.Phase.CLEAN, Timeline.Phase.MIXED, Timeline.Phase.SHIFTED);
        assertThat(timeline.samples()).isEqualTo(400);
        assertThat(timeline.onsetWindow()).isEqualTo(2);
        assertThat(timeline.alarmIn(Timeline.Phase.CLEAN)).isFalse();
        assertThat(timeline.alarmIn(Timeline.Phase.SHIFTED)).isTrue();
        assertThat(timeline.alarmedLayers()).containsExactly("block1.bn1");
        assertThat(timeline.layerNames()).containsExactly("block1.bn1", "block2.bn1");
        assertThat(timeline.windows().get(0).layers().get(1).varianceRatio()).isNaN();
    }

    @Test
    void theRemediationStepsNameThePublishedVersionAndItsLastWindowSaysWhetherItRecovered() {
        Timeline timeline = new Timeline("traffic", 0);
        timeline.addWindow(Json.parseObject(window(0, 0, 99, "ALARM")));
        assertThat(timeline.promotedVersion()).isNull();
        timeline.addStep(Json.parseObject("""
                {"schemaVersion":1,"at":"2026-01-01T00:00:01Z","model":"fmnist","remediation":"r","step":"promoted",
                 "detail":{"version":2,"state":"PROMOTED"}}"""));
        assertThat(timeline.promotedVersion()).isEqualTo("2");
        assertThat(timeline.recoveredOn("2")).as("no window of v2 yet").isFalse();
        timeline.addWindow(Json.parseObject("""
                {"schemaVersion":2,"model":"fmnist","version":"2","windowNumber":1,"samples":100,
                 "layers":[{"layer":"block1.bn1","varianceRatio":1.0,"varianceShift":1.0,"driftScore":0.5,
                            "driftThreshold":3.0,"over":false,"state":"OK"}],
                 "offsets":[{"topic":"traffic","partition":0,"first":100,"last":199}]}"""));
        assertThat(timeline.recoveredOn("2")).isTrue();
        assertThat(timeline.steps()).extracting(Timeline.Step::step).containsExactly("promoted");
    }
}
