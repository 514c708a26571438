package io.varshift.trainer.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.FashionMnist;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole benchmark, quick config, on a tiny model trained in seconds on a Fashion-MNIST subset. */
class DetectorBenchmarkTest {

    @TempDir
    static Path store;

    private static ModelArtifact tiny;
    private static ObjectNode result;

    @BeforeAll
    static void trainAndBenchmark() {
        // 500 held-out test images and 300 held-back training images calibrate: the benchmark must rebuild
        // the same split.
        tiny = TinyModel.train(new ModelStore(store), 500, 300, trained -> { });
        result = new DetectorBenchmark(FashionMnist.DEFAULT_DIR).run(tiny, BenchmarkConfig.QUICK, 256,
                JobContext.silent());
    }

    @Test
    void theCalibrationImagesAndTheUnseenPoolAreTheTrainersSplit() {
        JsonNode split = result.get("split");
        assertThat(split.get("calibrationSamples").asInt()).isEqualTo(800);
        assertThat(split.get("unseenFrom").asInt()).isEqualTo(500);
        assertThat(split.get("unseenSamples").asInt()).isEqualTo(BenchmarkConfig.QUICK.poolLimit());
    }

    @Test
    void everyDetectorHasACleanRateOnUnseenWindowsAndACost() {
        assertThat(result.get("detectors").valueStream().toList()).extracting(e -> e.get("name")
                .asText()).containsExactly("varshift", "ks-pixels", "mmd-features", "bbsd-softmax");
        result.get("detectors").forEach(d -> {
            assertThat(d.get("cleanWindows").asInt()).isEqualTo(BenchmarkConfig.QUICK.cleanWindows());
            assertThat(d.get("cleanLower").asDouble()).isLessThanOrEqualTo(d.get("cleanRate").asDouble());
            // Calibrated at α = 0.05 on 200 windows: a rate of 0.25 would mean the thresholds do not carry over.
            assertThat(d.get("cleanRate").asDouble()).as(d.get("name").asText()).isLessThan(0.25);
            assertThat(d.get("msPerWindow").asDouble()).isPositive();
        });
    }

    @Test
    void everyCorruptionAndSeverityIsACellWithEveryDetectorAndTheRecovery() {
        assertThat(result.get("cells")).hasSize(BenchmarkConfig.QUICK.shifts().size()
                * BenchmarkConfig.QUICK.severities().size());
        JsonNode invert = cell(ShiftKind.INVERT, 0.5);
        assertThat(invert.get("detection").fieldNames()).toIterable().containsExactly("varshift", "varshift-cusum",
                "ks-pixels", "mmd-features", "bbsd-softmax");
        // Half-way to the negative image: another data set, seen in the first window.
        JsonNode varshift = invert.get("detection").get("varshift");
        assertThat(varshift.get("alarmWithin").asDouble()).isEqualTo(1.0);
        assertThat(varshift.get("medianDelay").asInt()).isEqualTo(1);
        JsonNode recovery = invert.get("recovery");
        assertThat(recovery.fieldNames()).toIterable().containsExactly("none", "64", "256", "all");
        assertThat(recovery.get("none").asDouble()).isEqualTo(invert.get("accuracy").asDouble());
        recovery.fieldNames().forEachRemaining(k -> assertThat(recovery.get(k).asDouble()).isBetween(0.0, 1.0));
    }

    @Test
    void theReportIsWrittenFromTheJsonAlone(@TempDir Path site) throws Exception {
        Path json = DetectorBenchmark.write(result, site.resolve("data"));
        Path markdown = site.resolve("detector-benchmark.md");
        byte[] grid = new DetectorBenchmark(FashionMnist.DEFAULT_DIR).corruptionGrid();
        List<Path> charts = DetectorReport.read(json).write(markdown, "data/detectors.json", grid);
        String text = Files.readString(markdown);
        assertThat(text).contains("## Clean false-alarm rates", "| `ks-pixels` |", "| invert | 0.50 |",
                "## Label-free recovery", "](detector-benchmark-delay.png)", "](detector-benchmark-corruptions.png)",
                "## Reading");
        for (Path chart : charts) {
            assertThat(Files.readAllBytes(chart)).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(Files.readAllBytes(site.resolve("detector-benchmark-corruptions.png"))).startsWith(0x89, 'P');
    }

    @Test
    void aWindowSizeTheModelIsNotCalibratedForIsRefusedNamingTheFix() {
        BenchmarkConfig q = BenchmarkConfig.QUICK;
        BenchmarkConfig other = new BenchmarkConfig("other", q.shifts(), q.severities(), 128, q.alpha(),
                q.calibrationWindows(), q.cleanWindows(), q.permutationWindows(), q.trials(), q.windowsPerTrial(),
                q.warmupWindows(), q.poolLimit(), q.recoverySizes(), q.mmdReference(), q.featureDim(),
                q.permutations(), q.cusumArl(), q.cusumReference(), q.seed());
        assertThatThrownBy(() -> new DetectorBenchmark(FashionMnist.DEFAULT_DIR).run(tiny, other, 256,
                JobContext.silent())).hasMessageContaining("calibrated for windows of [64], not 128")
                .hasMessageContaining("--window-size 128");
    }

    private static JsonNode cell(ShiftKind shift, double severity) {
        return result.get("cells").valueStream()
                .filter(c -> c.get("shift").asText().equals(shift.cliName())
                        && c.get("severity").asDouble() == severity)
                .findFirst().orElseThrow();
    }
}
