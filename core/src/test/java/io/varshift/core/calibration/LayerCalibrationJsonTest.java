package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class LayerCalibrationJsonTest {

    private static LayerCalibration sample() {
        return new LayerCalibration(256, 49, 1e-4, 10_000, new double[] {0.1, -0.2}, new double[] {1.5, 0.25},
                0.31, 0.04, 4.2);
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        LayerCalibration cal = sample();
        JsonObject json = JsonParser.parseString(cal.toJson().toString()).getAsJsonObject();
        LayerCalibration back = LayerCalibration.fromJson(json);

        assertThat(back.toJson()).isEqualTo(cal.toJson());
        assertThat(back.windowSize()).isEqualTo(256);
        assertThat(back.positionsPerSample()).isEqualTo(49);
        assertThat(back.falseAlarmRate()).isEqualTo(1e-4);
        assertThat(back.baselineVar()).containsExactly(1.5, 0.25);
        assertThat(back.threshold()).isEqualTo(4.2);
    }

    @Test
    void missingOrMistypedFieldsAreNamed() {
        JsonObject missing = sample().toJson();
        missing.remove("nullSd");
        assertThatThrownBy(() -> LayerCalibration.fromJson(missing)).hasMessageContaining("missing field 'nullSd'");

        JsonObject text = sample().toJson();
        text.addProperty("windowSize", "many");
        assertThatThrownBy(() -> LayerCalibration.fromJson(text)).hasMessageContaining("'windowSize' = \"many\" must be a number");

        JsonObject fraction = sample().toJson();
        fraction.addProperty("replicates", 2.5);
        assertThatThrownBy(() -> LayerCalibration.fromJson(fraction)).hasMessageContaining("'replicates' = 2.5 must be an integer");
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheFix() {
        JsonObject rate = sample().toJson();
        rate.addProperty("falseAlarmRate", 0.9);
        assertThatThrownBy(() -> LayerCalibration.fromJson(rate)).hasMessageContaining("'falseAlarmRate' = 0.9");

        JsonObject sd = sample().toJson();
        sd.addProperty("nullSd", 0);
        assertThatThrownBy(() -> LayerCalibration.fromJson(sd)).hasMessageContaining("'nullSd' = 0.0");

        JsonObject lengths = sample().toJson();
        lengths.getAsJsonArray("baselineVar").remove(0);
        assertThatThrownBy(() -> LayerCalibration.fromJson(lengths)).hasMessageContaining("baselineVar");

        JsonObject negative = sample().toJson();
        negative.getAsJsonArray("baselineVar").set(1, new com.google.gson.JsonPrimitive(-1));
        assertThatThrownBy(() -> LayerCalibration.fromJson(negative)).hasMessageContaining("'baselineVar[1]' = -1.0");
    }

    @Test
    void anotherStatisticIsRefusedAskingForRecalibration() {
        JsonObject json = sample().toJson();
        json.addProperty("statistic", "drift-v9");
        assertThatThrownBy(() -> LayerCalibration.fromJson(json)).hasMessageContaining("recalibrate");
    }
}
