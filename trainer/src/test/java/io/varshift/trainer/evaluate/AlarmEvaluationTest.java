package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.json.Json;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.ArtifactWriter;
import io.varshift.trainer.training.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole evaluation, quick config, on a tiny model trained in seconds on a Fashion-MNIST subset. */
class AlarmEvaluationTest {

    @TempDir
    static Path store;

    private static ModelStore models;
    private static ModelArtifact tiny;
    private static ObjectNode result;

    @BeforeAll
    static void trainAndEvaluate() {
        models = new ModelStore(store);
        tiny = TinyModel.train(models, 500, 0, trained -> {
            // The next version claims 9500 held-out images, so that too few unseen ones remain.
            ObjectNode unseenTooFew = Json.object();
            ObjectNode training = trained.summary().deepCopy();
            training.put("heldOutSamples", 9500);
            unseenTooFew.set("training", training);
            ArtifactWriter.write(models, TinyModel.NAME, TinyModel.spec(),
                    trained.model().getBlock(), trained.reference().reference(), unseenTooFew);
            // And one as Adjust BN writes it: its calibration used other images than heldOutSamples says.
            ObjectNode adjusted = Json.object();
            adjusted.set("training", trained.summary().deepCopy());
            ObjectNode provenance = Json.object();
            provenance.put("method", "adjust-bn");
            adjusted.set("provenance", provenance);
            ArtifactWriter.write(models, TinyModel.NAME, TinyModel.spec(),
                    trained.model().getBlock(), trained.reference().reference(), adjusted);
        });
        result = new AlarmEvaluation(models, FashionMnist.DEFAULT_DIR).evaluate(tiny, EvaluationConfig.QUICK, 256,
                JobContext.silent());
    }

    @Test
    void everyOrderAndAlphaIsACellOverTheUnseenImages() {
        assertThat(result.get("unseen").get("from").asInt()).isEqualTo(500);
        assertThat(result.get("unseen").get("samples").asInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        assertThat(result.get("falseAlarms")).hasSize(TrafficOrder.STANDARD.size() * 2);
        result.get("falseAlarms").forEach(cell -> {
            assertThat(cell.get("windows").asInt()).isEqualTo(EvaluationConfig.QUICK.falseAlarmWindows()
                    * EvaluationConfig.QUICK.splits());
            // The pooled count is the sum of the splits' own.
            double pooled = cell.get("modelAlarms").asLong();
            double summed = cell.get("splitRates").valueStream()
                    .mapToDouble(r -> r.asDouble() * cell.get("windowsPerSplit").asLong()).sum();
            assertThat(summed).isCloseTo(pooled, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(cell.get("modelLower").asDouble()).isLessThanOrEqualTo(cell.get("modelRate").asDouble());
            assertThat(cell.get("modelUpper").asDouble()).isGreaterThanOrEqualTo(cell.get("modelRate").asDouble());
            // A layer is over when either of its tests is under α/2, so its rate lies between the
            // tests' rates at α/2 and their sum; at α it is at most the sum of the two.
            double layer = cell.get("layerWindowRate").asDouble();
            assertThat(layer).isLessThanOrEqualTo(cell.get("momentTestRate").asDouble()
                    + cell.get("cellTestRate").asDouble() + 1e-12);
        });
    }

    @Test
    void theFirstSplitIsTheModelsOwnCalibrationAndTheOthersAreFreshDealsOfTheSameImages() {
        var splits = result.get("splits");
        assertThat(splits).hasSize(EvaluationConfig.QUICK.splits());
        JsonNode own = splits.get(0);
        JsonNode dealt = splits.get(1);
        assertThat(own.get("calibrationRows").asText()).contains("the model's own");
        assertThat(own.get("unseenSamples").asInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        // A deal keeps the sizes: 500 calibration rows of the 1500 measured, 1000 unseen.
        assertThat(dealt.get("unseenSamples").asInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        assertThat(dealt.get("calibrationSeed").asLong()).isEqualTo(own.get("calibrationSeed").asLong() + 1);
        // Different images: the unseen accuracy of a random deal is not the first split's to the last digit.
        assertThat(dealt.get("unseenAccuracy").asDouble()).isNotEqualTo(own.get("unseenAccuracy").asDouble());
    }

    @Test
    void theShuffledRateAtOnePercentIsNearOnePercent() {
        JsonNode shuffled = cell("shuffled", 1e-2);
        // 500 windows: an interval of width ~0.02; a calibrated detector's covers 0.01 or sits just beside it.
        assertThat(shuffled.get("modelLower").asDouble()).isLessThan(0.02);
        assertThat(shuffled.get("modelUpper").asDouble()).isGreaterThan(0.002).isLessThan(0.05);
        assertThat(shuffled.get("atLeastHalfAlpha")).isNotNull();
    }

    @Test
    void skewedOrdersRaiseThePredictionMixSignal() {
        assertThat(cell("one-class-60%", 1e-3).get("predictionMixRate").asDouble()).isGreaterThan(0.5);
        assertThat(cell("shuffled", 1e-2).get("predictionMixRate").asDouble()).isLessThan(0.05);
    }

    @Test
    void everyShiftAndSeverityHasPowerForEveryWindowSize() {
        assertThat(result.get("power").get("shifts")).hasSize(ShiftKind.values().length * 4);
        JsonNode invertHalf = result.get("power").get("shifts").valueStream()
                .filter(s -> s.get("shift").asText().equals("invert") && s.get("severity").asDouble() == 0.5)
                .findFirst().orElseThrow();
        JsonNode window = invertHalf.get("windows").get(0);
        assertThat(window.get("windowSize").asInt()).isEqualTo(64);
        // Half-way to the negative image: a different data set, caught in the first window.
        assertThat(window.get("perWindow").get("alarmWithin").asDouble()).isEqualTo(1.0);
        assertThat(window.get("perWindow").get("medianDelay").asInt()).isEqualTo(1);
    }

    @Test
    void theReportIsWrittenFromTheJsonAlone(@TempDir Path site) throws Exception {
        Path json = AlarmEvaluation.write(result, site.resolve("data"));
        Path markdown = site.resolve("alarm-evaluation.md");
        Path chart = AlarmReport.read(json).write(markdown, "data/alarms.json");
        String text = Files.readString(markdown);
        assertThat(text).contains("## False alarms on clean traffic", "| runs-16 | 64 | 1e-3 |", "cells have an upper"
                + " bound at most 2α", "](alarm-evaluation-power.png)");
        assertThat(chart.getFileName().toString()).isEqualTo("alarm-evaluation-power.png");
        assertThat(Files.readAllBytes(chart)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void tooFewUnseenImagesAreRefusedNamingTheFix() {
        ModelArtifact mostlyHeldOut = models.load("tiny", tiny.version() + 1);
        assertThatThrownBy(() -> new AlarmEvaluation(models, FashionMnist.DEFAULT_DIR).evaluate(mostlyHeldOut,
                EvaluationConfig.QUICK, 256, JobContext.silent()))
                .hasMessageContaining("only 500 test images after the 9500 held out")
                .hasMessageContaining("train with a smaller --held-out");
    }

    @Test
    void aVersionMadeByAdjustBnIsRefusedNamingTheMethod() {
        ModelArtifact adjusted = models.load("tiny", tiny.version() + 2);
        assertThatThrownBy(() -> new AlarmEvaluation(models, FashionMnist.DEFAULT_DIR).evaluate(adjusted,
                EvaluationConfig.QUICK, 256, JobContext.silent()))
                .hasMessageContaining("was made by adjust-bn").hasMessageContaining("a version written by train");
    }

    private static JsonNode cell(String order, double alpha) {
        return result.get("falseAlarms").valueStream()
                .filter(c -> c.get("order").asText().equals(order) && c.get("alpha").asDouble() == alpha)
                .findFirst().orElseThrow();
    }
}
