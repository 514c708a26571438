package io.varshift.trainer.evaluate;

import com.google.gson.JsonObject;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.FashionMnist;
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
    private static JsonObject result;

    @BeforeAll
    static void trainAndEvaluate() {
        models = new ModelStore(store);
        tiny = TinyModel.train(models, 500, 0, trained -> {
            // The next version claims 9500 held-out images, so that too few unseen ones remain.
            JsonObject unseenTooFew = new JsonObject();
            JsonObject training = trained.summary().deepCopy();
            training.addProperty("heldOutSamples", 9500);
            unseenTooFew.add("training", training);
            ArtifactWriter.write(models, TinyModel.NAME, TinyModel.spec(),
                    trained.model().getBlock(), trained.reference().reference(), unseenTooFew);
            // And one as Adjust BN writes it: its calibration used other images than heldOutSamples says.
            JsonObject adjusted = new JsonObject();
            adjusted.add("training", trained.summary().deepCopy());
            JsonObject provenance = new JsonObject();
            provenance.addProperty("method", "adjust-bn");
            adjusted.add("provenance", provenance);
            ArtifactWriter.write(models, TinyModel.NAME, TinyModel.spec(),
                    trained.model().getBlock(), trained.reference().reference(), adjusted);
        });
        result = new AlarmEvaluation(models, FashionMnist.DEFAULT_DIR).evaluate(tiny, EvaluationConfig.QUICK, 256,
                JobContext.silent());
    }

    @Test
    void everyOrderAndAlphaIsACellOverTheUnseenImages() {
        assertThat(result.getAsJsonObject("unseen").get("from").getAsInt()).isEqualTo(500);
        assertThat(result.getAsJsonObject("unseen").get("samples").getAsInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        assertThat(result.getAsJsonArray("falseAlarms")).hasSize(TrafficOrder.STANDARD.size() * 2);
        result.getAsJsonArray("falseAlarms").forEach(e -> {
            JsonObject cell = e.getAsJsonObject();
            assertThat(cell.get("windows").getAsInt()).isEqualTo(EvaluationConfig.QUICK.falseAlarmWindows()
                    * EvaluationConfig.QUICK.splits());
            // The pooled count is the sum of the splits' own.
            double pooled = cell.get("modelAlarms").getAsLong();
            double summed = cell.getAsJsonArray("splitRates").asList().stream()
                    .mapToDouble(r -> r.getAsDouble() * cell.get("windowsPerSplit").getAsLong()).sum();
            assertThat(summed).isCloseTo(pooled, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(cell.get("modelLower").getAsDouble()).isLessThanOrEqualTo(cell.get("modelRate").getAsDouble());
            assertThat(cell.get("modelUpper").getAsDouble()).isGreaterThanOrEqualTo(cell.get("modelRate").getAsDouble());
            // A layer is over when either of its tests is under α/2, so its rate lies between the
            // tests' rates at α/2 and their sum; at α it is at most the sum of the two.
            double layer = cell.get("layerWindowRate").getAsDouble();
            assertThat(layer).isLessThanOrEqualTo(cell.get("momentTestRate").getAsDouble()
                    + cell.get("cellTestRate").getAsDouble() + 1e-12);
        });
    }

    @Test
    void theFirstSplitIsTheModelsOwnCalibrationAndTheOthersAreFreshDealsOfTheSameImages() {
        var splits = result.getAsJsonArray("splits");
        assertThat(splits).hasSize(EvaluationConfig.QUICK.splits());
        JsonObject own = splits.get(0).getAsJsonObject();
        JsonObject dealt = splits.get(1).getAsJsonObject();
        assertThat(own.get("calibrationRows").getAsString()).contains("the model's own");
        assertThat(own.get("unseenSamples").getAsInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        // A deal keeps the sizes: 500 calibration rows of the 1500 measured, 1000 unseen.
        assertThat(dealt.get("unseenSamples").getAsInt()).isEqualTo(EvaluationConfig.MIN_UNSEEN);
        assertThat(dealt.get("calibrationSeed").getAsLong()).isEqualTo(own.get("calibrationSeed").getAsLong() + 1);
        // Different images: the unseen accuracy of a random deal is not the first split's to the last digit.
        assertThat(dealt.get("unseenAccuracy").getAsDouble()).isNotEqualTo(own.get("unseenAccuracy").getAsDouble());
    }

    @Test
    void theShuffledRateAtOnePercentIsNearOnePercent() {
        JsonObject shuffled = cell("shuffled", 1e-2);
        // 500 windows: an interval of width ~0.02; a calibrated detector's covers 0.01 or sits just beside it.
        assertThat(shuffled.get("modelLower").getAsDouble()).isLessThan(0.02);
        assertThat(shuffled.get("modelUpper").getAsDouble()).isGreaterThan(0.002).isLessThan(0.05);
        assertThat(shuffled.get("atLeastHalfAlpha")).isNotNull();
    }

    @Test
    void skewedOrdersRaiseThePredictionMixSignal() {
        assertThat(cell("one-class-60%", 1e-3).get("predictionMixRate").getAsDouble()).isGreaterThan(0.5);
        assertThat(cell("shuffled", 1e-2).get("predictionMixRate").getAsDouble()).isLessThan(0.05);
    }

    @Test
    void everyShiftAndSeverityHasPowerForEveryWindowSize() {
        assertThat(result.getAsJsonObject("power").getAsJsonArray("shifts")).hasSize(ShiftKind.values().length * 4);
        JsonObject invertHalf = result.getAsJsonObject("power").getAsJsonArray("shifts").asList().stream()
                .map(e -> e.getAsJsonObject())
                .filter(s -> s.get("shift").getAsString().equals("invert") && s.get("severity").getAsDouble() == 0.5)
                .findFirst().orElseThrow();
        JsonObject window = invertHalf.getAsJsonArray("windows").get(0).getAsJsonObject();
        assertThat(window.get("windowSize").getAsInt()).isEqualTo(64);
        // Half-way to the negative image: a different data set, caught in the first window.
        assertThat(window.getAsJsonObject("perWindow").get("alarmWithin").getAsDouble()).isEqualTo(1.0);
        assertThat(window.getAsJsonObject("perWindow").get("medianDelay").getAsInt()).isEqualTo(1);
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

    private static JsonObject cell(String order, double alpha) {
        return result.getAsJsonArray("falseAlarms").asList().stream().map(e -> e.getAsJsonObject())
                .filter(c -> c.get("order").getAsString().equals(order) && c.get("alpha").getAsDouble() == alpha)
                .findFirst().orElseThrow();
    }
}
