package io.varshift.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.varshift.core.alarm.AlarmState;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.window.JudgeMemory;

/**
 * The exact bytes of a fleet partial and of the fleet judge's store entry, as the agent wrote them when
 * it built its JSON with Gson: agents of two builds share the partials topic, and a judge reads the
 * entries of its predecessor from the changelog. Non-finite sums are the bare tokens NaN and Infinity,
 * and are read back.
 */
class FleetWireFormatTest {

    static ChannelMoments moments() {
        ChannelMoments m = new ChannelMoments(new double[] {0.5, -1.25, 1e-7});
        m.addValues(new float[] {0.1f, 2.5f, -3e-8f, 0.7f, -1e6f, 1e-9f}, 2, 3, 1);
        return m;
    }

    static Partial partial(double sampleRate, double[] cellScoreSums) {
        return new Partial("fmnist", "3", "traffic", 5, 1200, 1300, "offset", 1200, 1299, 100, sampleRate,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:01.5Z"), new long[] {60, 0, 40},
                cellScoreSums, List.of(moments(), new ChannelMoments(new double[] {0.0})));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPartial() {
        Partial p = partial(1.0, new double[] {104.2, 1.0E-7});
        assertThat(text(p.bytes())).isEqualTo("""
                {"schemaVersion":1,"partialId":"3c6b2296434d4338","model":"fmnist","version":"3","topic":"traffic",\
                "partition":5,"sliceStart":1200,"sliceEnd":1300,"cut":"offset","first":1200,"last":1299,"samples":100,\
                "sampleRate":1.0,"openedAt":"2026-01-01T00:00:00Z","closedAt":"2026-01-01T00:00:01.500Z",\
                "predictedClassCounts":[60,0,40],"cellScoreSums":[104.2,1.0E-7],\
                "moments":["VlNDTQEAAAADAAAAAAAAAAI/4AAAAAAAAL/0AAAAAAAAPnrX8pq8r0i/yZmZsAAAAMEuhHYAAAAAvo68YUr8r0g/yZm\
                ZjMzM0kJtGo/dTfQAPR4QCgivRoI=","VlNDTQEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}\
                """);
        assertThat(text(Partial.parse(p.bytes()).bytes())).isEqualTo(text(p.bytes()));
    }

    @Test
    void aPartialWithNonFiniteSumsIsWrittenAndReadBack() {
        Partial p = partial(0.25, new double[] {Double.NaN, Double.POSITIVE_INFINITY});
        assertThat(text(p.bytes())).isEqualTo("""
                {"schemaVersion":1,"partialId":"3c6b2296434d4338","model":"fmnist","version":"3","topic":"traffic",\
                "partition":5,"sliceStart":1200,"sliceEnd":1300,"cut":"offset","first":1200,"last":1299,"samples":100,\
                "sampleRate":0.25,"openedAt":"2026-01-01T00:00:00Z","closedAt":"2026-01-01T00:00:01.500Z",\
                "predictedClassCounts":[60,0,40],"cellScoreSums":[NaN,Infinity],\
                "moments":["VlNDTQEAAAADAAAAAAAAAAI/4AAAAAAAAL/0AAAAAAAAPnrX8pq8r0i/yZmZsAAAAMEuhHYAAAAAvo68YUr8r0g/yZm\
                ZjMzM0kJtGo/dTfQAPR4QCgivRoI=","VlNDTQEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}\
                """);
        Partial back = Partial.parse(p.bytes());
        assertThat(back.cellScoreSums()).containsExactly(Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(back.sampleRate()).isEqualTo(0.25);
        assertThat(text(back.bytes())).isEqualTo(text(p.bytes()));
    }

    @Test
    void malformedPartialsAreRefusedNamingTheField() {
        String good = text(partial(1.0, new double[] {104.2, 1.0E-7}).bytes());
        assertThatThrownBy(() -> Partial.parse(bytes("{not json"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("partial: not a JSON object (");
        assertThatThrownBy(() -> Partial.parse(bytes("{\"schemaVersion\":1} {}")))
                .hasMessageStartingWith("partial: not a JSON object (");
        assertThatThrownBy(() -> Partial.parse(bytes("[1]"))).hasMessageStartingWith("partial: not a JSON object (");
        assertThatThrownBy(() -> Partial.parse(bytes("{\"schemaVersion\":9}")))
                .hasMessage("partial: schemaVersion 9; this build reads 1, upgrade the fleet judge");
        assertThatThrownBy(() -> Partial.parse(bytes("{\"schemaVersion\":\"x\"}")))
                .hasMessage("partial: field 'schemaVersion' is not an integer");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("\"model\":\"fmnist\"", "\"model\":null"))))
                .hasMessage("partial: field 'model' is missing");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("\"partition\":5", "\"partition\":true"))))
                .hasMessage("partial: field 'partition' is not an integer");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("\"first\":1200", "\"first\":{}"))))
                .hasMessage("partial: field 'first' is not an integer");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("2026-01-01T00:00:00Z", "yesterday"))))
                .hasMessage("partial: field 'openedAt' is not an ISO-8601 instant");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("[60,0,40]", "[60,0,-40]"))))
                .hasMessage("partial: predictedClassCounts[2] = -40");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("[60,0,40]", "{}"))))
                .hasMessage("partial: field 'predictedClassCounts' is not an array");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("\"moments\":[\"", "\"moments\":[\"!!"))))
                .hasMessage("partial: moments[0]: Illegal base64 character 21");
        assertThatThrownBy(() -> Partial.parse(bytes(good.replace("\"sampleRate\":1.0,", ""))))
                .hasMessage("partial: field 'sampleRate' is missing");
    }

    @Test
    void theJudgesStoreEntry() {
        assertThat(text(new FleetState().bytes())).isEqualTo("""
                {"version":null,"windowNumber":0}\
                """);
        FleetState s = new FleetState();
        s.version = "3";
        s.windowNumber = 7;
        s.memory = new JudgeMemory(List.of(new JudgeMemory.Alarm(AlarmState.OK, 0),
                new JudgeMemory.Alarm(AlarmState.ALARM, 3)), new JudgeMemory.Alarm(AlarmState.SUSPECT, 1),
                new JudgeMemory.Alarm(AlarmState.RECOVERING, 2), 1.0E-5);
        s.open = new FleetState.Open();
        s.open.add(partial(1.0, new double[] {104.2, 1.0E-7}), Instant.parse("2026-01-01T00:00:02Z"));
        s.open.add(partial(1.0, new double[] {Double.NaN, 2.5}), Instant.parse("2026-01-01T00:00:03Z"));
        assertThat(text(s.bytes())).isEqualTo("""
                {"version":"3","windowNumber":7,"memory":{"layers":[["OK",0],["ALARM",3]],"model":["SUSPECT",1],\
                "predictionMix":["RECOVERING",2],"cusum":1.0E-5},"open":{"openedAt":"2026-01-01T00:00:00Z",\
                "arrivedAt":"2026-01-01T00:00:02Z","samples":200,"sampleRate":1.0,"partials":2,\
                "idHash":-7176394985495330395,"ranges":[{"topic":"traffic","partition":5,"first":1200,"last":1299}],\
                "classCounts":[120,0,80],"cellScoreSums":[NaN,2.5000001],\
                "moments":["VlNDTQEAAAADAAAAAAAAAAQ/4AAAAAAAAL/0AAAAAAAAPnrX8pq8r0i/2ZmZsAAAAME+hHYAAAAAvp68YUr8r0g/2Zm\
                ZjMzM0kJ9Go/dTfQAPS4QCgivRoI=","VlNDTQEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}}\
                """);
        FleetState back = FleetState.parse(s.bytes());
        assertThat(text(back.bytes())).isEqualTo(text(s.bytes()));
        assertThat(back.memory).isEqualTo(s.memory);
        assertThat(back.open.cellScoreSums).containsExactly(Double.NaN, 2.5000001);
        assertThat(FleetState.parse(new FleetState().bytes()).version).isNull();
    }
}
