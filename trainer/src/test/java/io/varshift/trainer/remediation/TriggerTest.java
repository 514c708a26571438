package io.varshift.trainer.remediation;

import io.varshift.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The trigger as audit records and provenance store it. */
class TriggerTest {

    @Test
    void aTriggerIsStoredWithItsWindowsAndOffsets() {
        Trigger t = new Trigger("fmnist", 3, 2, List.of(4L, 5L),
                List.of(new WindowResult.Range("traffic", 1, 400, 599)), 200, 100);
        assertThat(Json.compact(t.toJson())).isEqualTo("{\"kind\":\"model-alarm\",\"model\":\"fmnist\",\"version\":3,"
                + "\"alarmWindows\":2,\"windows\":[4,5],\"offsets\":[{\"topic\":\"traffic\",\"partition\":1,"
                + "\"first\":400,\"last\":599}],\"samples\":200,\"windowSamples\":100}");
    }
}
