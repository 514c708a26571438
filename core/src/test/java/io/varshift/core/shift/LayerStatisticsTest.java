package io.varshift.core.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import org.junit.jupiter.api.Test;

class LayerStatisticsTest {

    // Stored: channel 0 mean 0 var 4, channel 1 mean 10 var 1.
    private static final LayerReference REF = new LayerReference("bn1", new double[] {0, 10}, new double[] {4, 1});

    /** Channel 0 sees −1, 1 (mean 0, var 1); channel 1 sees 10, 14 (mean 12, var 4). */
    private static ChannelMoments window() {
        ChannelMoments m = new ChannelMoments(new double[] {0, 10});
        m.addValues(new float[] {-1, 10, 1, 14}, 2, 2, 1);
        return m;
    }

    @Test
    void paperRatioAndChannelShiftsMatchHandComputedValues() {
        LayerStatistics s = LayerStatistics.of(window(), REF);
        double eps = LayerStatistics.EPSILON;
        // Paper: channel-averaged live (1+4)/2 over channel-averaged stored (4+1)/2 = 1: no shift on average.
        assertThat(s.varianceRatio()).isEqualTo(1.0);
        assertThat(s.varianceShift()).isEqualTo(1.0);
        // Per channel the ratios are 1/4 and 4, so each channel is shifted by a factor 4.
        double r0 = (1 + eps) / (4 + eps);
        double r1 = (4 + eps) / (1 + eps);
        assertThat(s.meanChannelShift()).isCloseTo((1 / r0 + r1) / 2, within(1e-12));
        assertThat(s.maxChannelShift()).isCloseTo(Math.max(1 / r0, r1), within(1e-12));
        // |0 − 0|/2 and |12 − 10|/1, averaged.
        assertThat(s.meanShift()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void channelRatiosAreLiveOverStoredVariance() {
        assertThat(LayerStatistics.channelVarianceRatios(window(), REF)).containsExactly(0.25, 4.0);
    }

    @Test
    void paperRatioBelowOneIsReportedAsItsReciprocalShift() {
        LayerReference wide = new LayerReference("bn", new double[] {0}, new double[] {4});
        ChannelMoments m = new ChannelMoments(new double[] {0});
        m.addValues(new float[] {-1, 1}, 2, 1, 1);
        LayerStatistics s = LayerStatistics.of(m, wide);
        assertThat(s.varianceRatio()).isEqualTo(0.25);
        assertThat(s.varianceShift()).isEqualTo(4.0);
    }

    @Test
    void mismatchedOrEmptyWindowsAreRefusedNamingTheLayer() {
        assertThatThrownBy(() -> LayerStatistics.of(new ChannelMoments(new double[] {0}), REF))
                .hasMessageContaining("layer 'bn1': window has 1 channels but the reference has 2");
        assertThatThrownBy(() -> LayerStatistics.of(new ChannelMoments(new double[] {0, 0}), REF))
                .hasMessageContaining("layer 'bn1': the window is empty");
    }
}
