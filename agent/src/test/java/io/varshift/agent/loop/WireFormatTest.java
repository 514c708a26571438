package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.json.Json;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.Signal;
import io.varshift.core.window.WindowVerdict;

/**
 * The exact bytes of what the agent publishes (window results, alerts) and serves ({@code /status}),
 * for a fixed window: field names and order, integers, doubles as {@link Double#toString(double)}
 * (small, large, negative zero, the extremes), statistics without a value as null, the moments of an
 * empty layer as the bare tokens NaN (as the agent has always written them), string escapes. The
 * expected texts are what the agent wrote when it built its JSON with Gson; readers depend on them.
 */
class WireFormatTest {

    static final long WINDOW_ID = 0x1096b90f205a9f10L;

    static ChannelMoments moments() {
        ChannelMoments m = new ChannelMoments(new double[] {0.5, -1.25, 1e-7});
        m.addValues(new float[] {0.1f, 2.5f, -3e-8f, 0.7f, -1e6f, 1e-9f}, 2, 3, 1);
        return m;
    }

    static ClosedWindow window() {
        Map<TopicPartition, long[]> offsets = new LinkedHashMap<>();
        offsets.put(new TopicPartition("traffic", 0), new long[] {5000, 5999});
        offsets.put(new TopicPartition("traffic", 11), new long[] {7, 7});
        // The second layer's moments are empty: their mean and variance are NaN.
        return new ClosedWindow("fmnist", "3", WINDOW_ID, 12, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:04.125Z"), "count", 1000, 1.0E-4, offsets,
                List.of(moments(), new ChannelMoments(new double[] {0.0})), new double[] {104.2, 0.0},
                new long[] {600, 0, 400});
    }

    static AlarmTransition transition(double statistic) {
        return new AlarmTransition(AlarmState.SUSPECT, AlarmState.ALARM, WINDOW_ID, statistic, 3.0);
    }

    static JudgedWindow judged() {
        List<LayerVerdict> layers = List.of(
                new LayerVerdict("block1.bn1", new LayerStatistics(0.98, 1.0204081632653061, 1.0E7,
                        1.2345678901234567E21, 1.0E-7), new Signal(0.2, 3.0, false, AlarmState.OK, Optional.empty()),
                        0.1, 123456.789),
                new LayerVerdict("bn \"2\" \\ \u00e9\t\u0001\u001f\u2028", new LayerStatistics(Double.NaN,
                        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, Double.MIN_VALUE),
                        new Signal(Double.POSITIVE_INFINITY, 3.0, true, AlarmState.ALARM,
                                Optional.of(transition(Double.POSITIVE_INFINITY))), -0.0, 100.0));
        return new JudgedWindow(window(), new WindowVerdict(1000, 1000, new long[] {600, 0, 400}, layers,
                new Signal(4.5, 3.0, true, AlarmState.SUSPECT, Optional.empty()),
                new Signal(0.77, 3.0, false, AlarmState.OK, Optional.empty()),
                new WindowVerdict.Sequential(0.0, 7.36, false)));
    }

    /** Without a calibration: every score NaN. */
    static JudgedWindow unjudged() {
        Signal none = new Signal(Double.NaN, Double.NaN, false, AlarmState.OK, Optional.empty());
        List<LayerVerdict> layers = List.of(
                new LayerVerdict("block1.bn1", new LayerStatistics(1.5, 1.5, 2.25, 3.0, 0.5), none, Double.NaN,
                        Double.NaN),
                new LayerVerdict("block2.bn1", new LayerStatistics(0.5, 2.0, 2.0, 2.0, 0.0), none, Double.NaN,
                        Double.NaN));
        return new JudgedWindow(window(), new WindowVerdict(0, 1000, new long[] {600, 0, 400}, layers, none, none,
                new WindowVerdict.Sequential(Double.NaN, Double.NaN, false)));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aJudgedWindowResult() {
        assertThat(text(WindowJson.bytes(WindowJson.result(judged())))).isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "openedAt":"2026-01-01T00:00:00Z","closedAt":"2026-01-01T00:00:04.125Z","closeReason":"count",\
                "samples":1000,"sampleRate":1.0E-4,"judged":true,"calibrationWindowSize":1000,\
                "modelVerdict":{"score":4.5,"threshold":3.0,"over":true,"state":"SUSPECT"},\
                "predictionMix":{"score":0.77,"threshold":3.0,"over":false,"state":"OK"},"sequential":{"statistic":0.0,\
                "threshold":7.36,"over":false},"predictedClassCounts":[600,0,400],"layers":[{"layer":"block1.bn1",\
                "varianceRatio":0.98,"varianceShift":1.0204081632653061,"meanChannelShift":1.0E7,\
                "maxChannelShift":1.2345678901234568E21,"meanShift":1.0E-7,"driftScore":0.2,"driftThreshold":3.0,\
                "momentScore":0.1,"cellScore":123456.789,"over":false,"state":"OK"},\
                {"layer":"bn \\"2\\" \\\\ é\\t\\u0001\\u001f\\u2028",\
                "varianceRatio":null,"varianceShift":null,"meanChannelShift":null,\
                "maxChannelShift":1.7976931348623157E308,"meanShift":4.9E-324,"driftScore":null,"driftThreshold":3.0,\
                "momentScore":-0.0,"cellScore":100.0,"over":true,"state":"ALARM"}],"offsets":[{"topic":"traffic",\
                "partition":0,"first":5000,"last":5999},{"topic":"traffic","partition":11,"first":7,"last":7}]}\
                """);
    }

    @Test
    void aJudgedWindowResultWithMoments() {
        assertThat(text(WindowJson.bytes(WindowJson.result(judged(), true)))).isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "openedAt":"2026-01-01T00:00:00Z","closedAt":"2026-01-01T00:00:04.125Z","closeReason":"count",\
                "samples":1000,"sampleRate":1.0E-4,"judged":true,"calibrationWindowSize":1000,\
                "modelVerdict":{"score":4.5,"threshold":3.0,"over":true,"state":"SUSPECT"},\
                "predictionMix":{"score":0.77,"threshold":3.0,"over":false,"state":"OK"},"sequential":{"statistic":0.0,\
                "threshold":7.36,"over":false},"predictedClassCounts":[600,0,400],"layers":[{"layer":"block1.bn1",\
                "varianceRatio":0.98,"varianceShift":1.0204081632653061,"meanChannelShift":1.0E7,\
                "maxChannelShift":1.2345678901234568E21,"meanShift":1.0E-7,"driftScore":0.2,"driftThreshold":3.0,\
                "momentScore":0.1,"cellScore":123456.789,"over":false,"state":"OK","moments":{"count":2,\
                "mean":[0.3999999947845936,-499998.75,-1.4499999478889691E-8],"variance":[0.08999999597668652,\
                2.500012500015625E11,2.4024998296884007E-16]}},\
                {"layer":"bn \\"2\\" \\\\ é\\t\\u0001\\u001f\\u2028","varianceRatio":null,\
                "varianceShift":null,"meanChannelShift":null,"maxChannelShift":1.7976931348623157E308,\
                "meanShift":4.9E-324,"driftScore":null,"driftThreshold":3.0,"momentScore":-0.0,"cellScore":100.0,\
                "over":true,"state":"ALARM","moments":{"count":0,"mean":[NaN],"variance":[NaN]}}],\
                "offsets":[{"topic":"traffic","partition":0,"first":5000,"last":5999},{"topic":"traffic",\
                "partition":11,"first":7,"last":7}]}\
                """);
    }

    @Test
    void anUnjudgedWindowResult() {
        assertThat(text(WindowJson.bytes(WindowJson.result(unjudged(), false)))).isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "openedAt":"2026-01-01T00:00:00Z","closedAt":"2026-01-01T00:00:04.125Z","closeReason":"count",\
                "samples":1000,"sampleRate":1.0E-4,"judged":false,"modelVerdict":{"score":null,"threshold":null,\
                "over":false,"state":"OK"},"predictionMix":{"score":null,"threshold":null,"over":false,"state":"OK"},\
                "sequential":{"statistic":null,"threshold":null,"over":false},"predictedClassCounts":[600,0,400],\
                "layers":[{"layer":"block1.bn1","varianceRatio":1.5,"varianceShift":1.5,"meanChannelShift":2.25,\
                "maxChannelShift":3.0,"meanShift":0.5,"driftScore":null,"driftThreshold":null,"momentScore":null,\
                "cellScore":null,"over":false,"state":"OK"},{"layer":"block2.bn1","varianceRatio":0.5,\
                "varianceShift":2.0,"meanChannelShift":2.0,"maxChannelShift":2.0,"meanShift":0.0,"driftScore":null,\
                "driftThreshold":null,"momentScore":null,"cellScore":null,"over":false,"state":"OK"}],\
                "offsets":[{"topic":"traffic","partition":0,"first":5000,"last":5999},{"topic":"traffic",\
                "partition":11,"first":7,"last":7}]}\
                """);
    }

    @Test
    void alerts() {
        assertThat(text(WindowJson.bytes(WindowJson.alert(window(), WindowJson.LAYER, "block1.bn1", transition(3.5)))))
                .isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "kind":"layer","layer":"block1.bn1","from":"SUSPECT","to":"ALARM","statistic":"driftScore","value":3.5,\
                "threshold":3.0,"closedAt":"2026-01-01T00:00:04.125Z","offsets":[{"topic":"traffic","partition":0,\
                "first":5000,"last":5999},{"topic":"traffic","partition":11,"first":7,"last":7}]}\
                """);
        assertThat(text(WindowJson.bytes(WindowJson.alert(window(), WindowJson.MODEL, null,
                transition(Double.POSITIVE_INFINITY))))).isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "kind":"model","from":"SUSPECT","to":"ALARM","statistic":"driftScore","value":null,"threshold":3.0,\
                "closedAt":"2026-01-01T00:00:04.125Z","offsets":[{"topic":"traffic","partition":0,"first":5000,\
                "last":5999},{"topic":"traffic","partition":11,"first":7,"last":7}]}\
                """);
        assertThat(text(WindowJson.bytes(WindowJson.alert(window(), WindowJson.PREDICTION_MIX, null,
                transition(1.0E-5))))).isEqualTo("""
                {"schemaVersion":2,"model":"fmnist","version":"3","windowId":"1096b90f205a9f10","windowNumber":12,\
                "kind":"prediction-mix","from":"SUSPECT","to":"ALARM","statistic":"predictionMixScore","value":1.0E-5,\
                "threshold":3.0,"closedAt":"2026-01-01T00:00:04.125Z","offsets":[{"topic":"traffic","partition":0,\
                "first":5000,"last":5999},{"topic":"traffic","partition":11,"first":7,"last":7}]}\
                """);
    }

    @Test
    void nonFiniteNumbersOutsideTheStatisticsStayBareTokens() {
        assertThat(text(WindowJson.bytes(Json.object().put("nan", Double.NaN).put("inf", Double.POSITIVE_INFINITY)
                .put("negInf", Double.NEGATIVE_INFINITY).put("float", 0.1f).put("long", Long.MIN_VALUE))))
                .isEqualTo("{\"nan\":NaN,\"inf\":Infinity,\"negInf\":-Infinity,\"float\":0.1,"
                        + "\"long\":-9223372036854775808}");
    }

    @Test
    void status() {
        LoopSettings settings = AgentLoopTest.settings().windowSamples(50).build();
        StatusView status = new StatusView();
        ModelLane lane = new ModelLane("m", settings, new AgentMetrics(new SimpleMeterRegistry()));
        ModelLane absent = new ModelLane("absent", settings, new AgentMetrics(new SimpleMeterRegistry()));
        try {
            lane.offer(new IdentityModel("m", "1", 50));
            status.refresh(List.of(lane, absent));
            assertThat(status.json()).isEqualTo("""
                {"models":[{"model":"m","version":"1","pendingVersion":false,"windowsClosed":0,\
                "openWindow":{"samples":0},"layers":[{"layer":"input","state":"OK"}]}]}\
                """);
            assertThat(status.notLoaded()).containsExactly("absent");

            // Two seconds of window at the model's calibrated false-alarm rate of 1e-3.
            ClosedWindow w = new ClosedWindow("m", "1", 5, 1, Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2026-01-01T00:00:02Z"), "count", 50, 1.0, Map.of(), List.of(moments()),
                    new double[] {1}, new long[] {50});
            WindowVerdict v = judged().verdict();
            lane.judged(new JudgedWindow(w, new WindowVerdict(50, 50, new long[] {50}, List.of(v.layers().get(1)),
                    v.model(), v.predictionMix(), v.sequential())));
            status.refresh(List.of(lane, absent));
            assertThat(status.json()).isEqualTo("""
                {"models":[{"model":"m","version":"1","pendingVersion":false,"windowsClosed":0,\
                "openWindow":{"samples":0},"layers":[{"layer":"input","state":"ALARM","driftThreshold":3.0}],\
                "modelState":"SUSPECT","predictionMixState":"OK","falseAlarms":{"windowSeconds":2.0,\
                "falseAlarmRatePerWindow":0.001,"expectedSecondsBetweenFalseOverWindows":2000.0,\
                "expectedSecondsBetweenFalseModelAlarms":19801.980198019803}}]}\
                """);
        } finally {
            lane.close();
        }
    }
}
