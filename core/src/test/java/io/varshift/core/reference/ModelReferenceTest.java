package io.varshift.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.json.Json;
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

    private static ObjectNode firstLayer(ObjectNode model) {
        return (ObjectNode) model.get("layers").get(0);
    }

    @Test
    void jsonRoundTripKeepsLayersInOrderAndTheCalibration() {
        ModelReference ref = sample();
        ModelReference back = ModelReference.fromJson(Json.parse(Json.compact(ref.toJson())));

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
        ObjectNode json = sample().toJson();
        firstLayer(json).remove("runningVar");
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessage("layer 'bn1': missing field 'runningVar'");
    }

    @Test
    void arrayLengthThatDisagreesWithChannelsIsRefused() {
        ObjectNode json = sample().toJson();
        ((ArrayNode) firstLayer(json).get("runningMean")).add(3);
        assertThatThrownBy(() -> ModelReference.fromJson(json))
                .hasMessageContaining("layer 'bn1': 'channels' = 2 but 'runningMean' has 3");
    }

    @Test
    void zeroNegativeOrNonNumericVarianceIsRefused() {
        for (JsonNode bad : List.<JsonNode>of(IntNode.valueOf(0), IntNode.valueOf(-1), TextNode.valueOf("NaN"))) {
            ObjectNode json = sample().toJson();
            ((ArrayNode) firstLayer(json).get("runningVar")).set(1, bad);
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
        ObjectNode json = sample().toJson();
        ((ObjectNode) json.get("calibration")).remove("predictionCounts");
        assertThatThrownBy(() -> ModelReference.fromJson(json))
                .hasMessageContaining("calibration: missing field 'predictionCounts'");
        ObjectNode old = sample().toJson();
        ((ObjectNode) old.get("calibration")).put("statistic", "drift-v1");
        assertThatThrownBy(() -> ModelReference.fromJson(old)).hasMessageContaining("recalibrate the model");
    }

    @Test
    void aFormatOneReferenceIsRefusedWithTheFix() {
        ObjectNode json = sample().toJson();
        json.put("formatVersion", 1);
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessageContaining("formatVersion 1 is not supported")
                .hasMessageContaining("recalibrate the model with this trainer");
    }

    @Test
    void duplicateLayerNamesAndUnknownVersionsAreRefused() {
        LayerReference bn = new LayerReference("bn", new double[] {0}, new double[] {1});
        assertThatThrownBy(() -> new ModelReference(List.of(bn, bn))).hasMessageContaining("'bn' appears twice");
        ObjectNode json = sample().toJson();
        json.put("formatVersion", 3);
        assertThatThrownBy(() -> ModelReference.fromJson(json)).hasMessageContaining("formatVersion 3 is not supported");
        assertThatThrownBy(() -> ModelReference.fromJson(Json.object())).hasMessageContaining("missing field 'formatVersion'");
    }
}
