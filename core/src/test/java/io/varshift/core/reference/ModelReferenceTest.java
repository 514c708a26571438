package io.varshift.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelReferenceTest {

    /** Per-sample sums of 300 random samples for a layer of {@code channels} (dense: one position). */
    private static SampleContributions rows(int channels, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SampleContributions rows = new SampleContributions(new double[channels], 1);
        float[] s1 = new float[300 * channels];
        float[] s2 = new float[300 * channels];
        for (int i = 0; i < s1.length; i++) {
            s1[i] = (float) random.nextGaussian();
            s2[i] = s1[i] * s1[i];
        }
        rows.add(s1, s2, 300);
        // A dense layer is one cell per channel: its cell mean is the value itself.
        rows.addCells(s1, 300, 1);
        return rows;
    }

    private static ModelCalibration calibration(List<String> names) {
        int[] classes = new int[300];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i % 3;
        }
        return new ModelCalibrator(200, 1).calibrate(new ModelCalibrator.HeldOut(names,
                List.of(rows(2, 1), rows(1, 2)), classes, classes, 3), List.of(64, 256), 1e-2);
    }

    private static ModelReference sample() {
        return new ModelReference(List.of(
                new LayerReference("bn1", new double[] {0, 1}, new double[] {1, 2}),
                new LayerReference("bn2", new double[] {0.5}, new double[] {0.25})), calibration(List.of("bn1", "bn2")));
    }

    private static JsonObject firstLayer(JsonObject model) {
        return model.getAsJsonArray("layers").get(0).getAsJsonObject();
    }

    @Test
    void jsonRoundTripKeepsLayersInOrderAndTheCalibration() {
        ModelReference ref = sample();
        ModelReference back = ModelReference.fromJson(JsonParser.parseString(ref.toJson().toString()).getAsJsonObject());

        assertThat(back.toJson()).isEqualTo(ref.toJson());
        assertThat(back.layers()).extracting(LayerReference::name).containsExactly("bn1", "bn2");
        LayerReference bn1 = back.layer("bn1").orElseThrow();
        assertThat(bn1.runningVar()).containsExactly(1, 2);
        assertThat(back.calibration()).get().extracting(ModelCalibration::windowSizes).isEqualTo(List.of(64, 256));
        assertThat(back.layer("bn3")).isEmpty();
        assertThat(new ModelReference(back.layers()).calibration()).isEmpty();
    }

    @Test
    void missingFieldIsNamedWithItsLayer() {
        JsonObject json = sample().toJson();
        firstLayer(json).remove("runningVar");
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessage("layer 'bn1': missing field 'runningVar'");
    }

    @Test
    void arrayLengthThatDisagreesWithChannelsIsRefused() {
        JsonObject json = sample().toJson();
        firstLayer(json).getAsJsonArray("runningMean").add(3);
        assertThatThrownBy(() -> ModelReference.fromJson(json))
                .hasMessageContaining("layer 'bn1': 'channels' = 2 but 'runningMean' has 3");
    }

    @Test
    void zeroNegativeOrNonNumericVarianceIsRefused() {
        for (JsonPrimitive bad : List.of(new JsonPrimitive(0), new JsonPrimitive(-1), new JsonPrimitive("NaN"))) {
            JsonObject json = sample().toJson();
            firstLayer(json).getAsJsonArray("runningVar").set(1, bad);
            assertThatThrownBy(() -> ModelReference.fromJson(json)).as("runningVar %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layer 'bn1'").hasMessageContaining("runningVar").hasMessageContaining("[1]");
        }
        assertThatThrownBy(() -> new LayerReference("bn", new double[] {0}, new double[] {Double.NaN}))
                .hasMessageContaining("runningVar[0] = NaN must be finite and > 0");
    }

    @Test
    void aCalibrationOfOtherLayersIsRefusedWithTheFix() {
        assertThatThrownBy(() -> sample().withCalibration(calibration(List.of("conv1.bn", "bn2"))))
                .hasMessageContaining("calibration layer 0 is 'conv1.bn'").hasMessageContaining("recalibrate the model");
    }

    @Test
    void aBadCalibrationNamesTheField() {
        JsonObject json = sample().toJson();
        json.getAsJsonObject("calibration").remove("predictionCounts");
        assertThatThrownBy(() -> ModelReference.fromJson(json))
                .hasMessageContaining("calibration: missing field 'predictionCounts'");
        JsonObject old = sample().toJson();
        old.getAsJsonObject("calibration").addProperty("statistic", "drift-v1");
        assertThatThrownBy(() -> ModelReference.fromJson(old)).hasMessageContaining("recalibrate the model");
    }

    @Test
    void aFormatOneReferenceIsRefusedWithTheFix() {
        JsonObject json = sample().toJson();
        json.addProperty("formatVersion", 1);
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessageContaining("formatVersion 1 is not supported")
                .hasMessageContaining("recalibrate the model with this trainer");
    }

    @Test
    void duplicateLayerNamesAndUnknownVersionsAreRefused() {
        LayerReference bn = new LayerReference("bn", new double[] {0}, new double[] {1});
        assertThatThrownBy(() -> new ModelReference(List.of(bn, bn))).hasMessageContaining("'bn' appears twice");
        JsonObject json = sample().toJson();
        json.addProperty("formatVersion", 3);
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessageContaining("formatVersion 3 is not supported");
        assertThatThrownBy(() -> ModelReference.fromJson(new JsonObject())).hasMessageContaining("missing field 'formatVersion'");
    }
}
