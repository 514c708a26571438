package io.varshift.agent.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;

class WindowFitTest {

    /** A one-layer reference calibrated for windows of 256 samples. */
    static ModelReference calibratedFor256() {
        SampleContributions rows = new SampleContributions(new double[] {0}, 1);
        float[] s1 = new float[400];
        float[] s2 = new float[400];
        for (int i = 0; i < 400; i++) {
            s1[i] = (float) Math.sin(i);
            s2[i] = s1[i] * s1[i];
        }
        rows.add(s1, s2, 400);
        rows.addCells(s1, 400, 1);
        return new ModelReference(List.of(new LayerReference("bn", new double[] {0}, new double[] {1})),
                new ModelCalibrator(200, 1).calibrate(new ModelCalibrator.HeldOut(List.of("bn"), List.of(rows),
                        new int[400], null, 1), List.of(256), 1e-2));
    }

    @Test
    void aCountWindowFarFromEveryCalibratedSizeIsRefusedWithBothSizesAndTheFix() {
        assertThatThrownBy(() -> new WindowFit(1000, false).require("fmnist", "3", calibratedFor256()))
                .hasMessageContaining("model 'fmnist' v3 is calibrated for windows of [256]")
                .hasMessageContaining("varshift.agent.window.samples = 1000")
                .hasMessageContaining("varshift.agent.window.allow-uncalibrated=true");
    }

    @Test
    void windowsWithinOneAndAHalfTimesTheCalibratedSizeTimeOnlyWindowsAndTheOverrideAreAccepted() {
        ModelReference reference = calibratedFor256();
        assertThatCode(() -> new WindowFit(300, false).require("m", "1", reference)).doesNotThrowAnyException();
        assertThatCode(() -> new WindowFit(180, false).require("m", "1", reference)).doesNotThrowAnyException();
        assertThatCode(() -> new WindowFit(0, false).require("m", "1", reference)).doesNotThrowAnyException();
        assertThatCode(() -> new WindowFit(1000, true).require("m", "1", reference)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new WindowFit(160, false).require("m", "1", reference))
                .hasMessageContaining("nearest 256");
    }
}
