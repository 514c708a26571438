package io.varshift.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.varshift.core.calibration.LayerCalibration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelReferenceTest {

    private static LayerCalibration calibration(int windowSize) {
        return new LayerCalibration(windowSize, 1, 1e-4, 2000, new double[] {0, 1}, new double[] {1, 2}, 0.2, 0.05, 4.5);
    }

    private static ModelReference sample() {
        return new ModelReference(List.of(
                new LayerReference("bn1", new double[] {0, 1}, new double[] {1, 2}, List.of(calibration(64), calibration(256))),
                new LayerReference("bn2", new double[] {0.5}, new double[] {0.25}, List.of())));
    }

    private static JsonObject firstLayer(JsonObject model) {
        return model.getAsJsonArray("layers").get(0).getAsJsonObject();
    }

    @Test
    void jsonRoundTripKeepsLayersInOrderWithTheirCalibrations() {
        ModelReference ref = sample();
        ModelReference back = ModelReference.fromJson(JsonParser.parseString(ref.toJson().toString()).getAsJsonObject());

        assertThat(back.toJson()).isEqualTo(ref.toJson());
        assertThat(back.layers()).extracting(LayerReference::name).containsExactly("bn1", "bn2");
        LayerReference bn1 = back.layer("bn1").orElseThrow();
        assertThat(bn1.runningVar()).containsExactly(1, 2);
        assertThat(bn1.calibrationFor(256)).get().extracting(LayerCalibration::windowSize).isEqualTo(256);
        assertThat(bn1.calibrationFor(128)).isEmpty();
        assertThat(back.layer("bn3")).isEmpty();
    }

    @Test
    void withCalibrationReplacesTheOneForTheSameWindowSize() {
        LayerReference bn1 = sample().layers().get(0);
        LayerCalibration newer = new LayerCalibration(64, 1, 1e-3, 500, new double[] {0, 1}, new double[] {1, 2}, 0.3, 0.1, 3);
        LayerReference updated = bn1.withCalibration(newer);
        assertThat(updated.calibrations()).hasSize(2);
        assertThat(updated.calibrationFor(64)).get().extracting(LayerCalibration::falseAlarmRate).isEqualTo(1e-3);
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
        assertThatThrownBy(() -> new LayerReference("bn", new double[] {0}, new double[] {Double.NaN}, List.of()))
                .hasMessageContaining("runningVar[0] = NaN must be finite and > 0");
    }

    @Test
    void calibrationWithTheWrongChannelCountIsRefused() {
        assertThatThrownBy(() -> new LayerReference("bn", new double[] {0}, new double[] {1}, List.of(calibration(64))))
                .hasMessageContaining("calibration for window 64 has 2 channels but the layer has 1");
    }

    @Test
    void badCalibrationInsideALayerNamesTheLayerAndIndex() {
        JsonObject json = sample().toJson();
        firstLayer(json).getAsJsonArray("calibrations").get(1).getAsJsonObject().remove("threshold");
        assertThatThrownBy(() -> ModelReference.fromJson(json))
                .hasMessageContaining("layer 'bn1': calibrations[1]: calibration: missing field 'threshold'");
    }

    @Test
    void duplicateLayerNamesAndUnknownVersionsAreRefused() {
        LayerReference bn = new LayerReference("bn", new double[] {0}, new double[] {1}, List.of());
        assertThatThrownBy(() -> new ModelReference(List.of(bn, bn))).hasMessageContaining("'bn' appears twice");
        JsonObject json = sample().toJson();
        json.addProperty("formatVersion", 3);
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessageContaining("formatVersion 3 is not supported");
        assertThatThrownBy(() -> ModelReference.fromJson(new JsonObject())).hasMessageContaining("missing field 'formatVersion'");
    }
}
