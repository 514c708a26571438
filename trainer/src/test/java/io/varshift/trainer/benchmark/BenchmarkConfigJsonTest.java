package io.varshift.trainer.benchmark;

import io.varshift.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** detectors.json keeps the config as the stored results have it (src/site/data/detector-benchmark). */
class BenchmarkConfigJsonTest {

    @Test
    void theConfigIsStoredUnderItsComponentNamesWithTheShiftsByCliName() {
        assertThat(Json.compact(BenchmarkConfig.QUICK.toJson())).isEqualTo("{\"name\":\"quick\","
                + "\"shifts\":[\"noise\",\"contrast\",\"invert\"],\"severities\":[0.1,0.5],\"windowSize\":64,"
                + "\"alpha\":0.05,\"calibrationWindows\":200,\"cleanWindows\":200,\"permutationWindows\":20,"
                + "\"trials\":6,\"windowsPerTrial\":5,\"warmupWindows\":5,\"poolLimit\":600,"
                + "\"recoverySizes\":[64,256],\"mmdReference\":200,\"featureDim\":16,\"permutations\":40,"
                + "\"cusumArl\":1000.0,\"cusumReference\":0.5,\"seed\":20261202}");
    }
}
