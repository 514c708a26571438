package io.varshift.trainer.evaluate;

import io.varshift.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** alarms.json keeps the config as the stored results have it (src/site/data/alarm-evaluation). */
class EvaluationConfigJsonTest {

    @Test
    void theConfigIsStoredUnderItsComponentNamesInOrder() {
        assertThat(Json.compact(EvaluationConfig.DEFAULT.toJson())).isEqualTo("{\"name\":\"default\","
                + "\"falseAlarmWindows\":20000,\"splits\":5,\"powerTrials\":500,\"unseenLimit\":0,"
                + "\"alphas\":[0.01,0.001],\"severities\":[0.05,0.1,0.2,0.5],\"powerAlpha\":0.001,"
                + "\"windowsPerTrial\":5,\"warmupWindows\":20,\"cusumArl\":10000.0,\"cusumReference\":0.5,"
                + "\"seed\":20240611}");
    }
}
