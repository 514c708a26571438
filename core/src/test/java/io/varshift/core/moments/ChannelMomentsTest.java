package io.varshift.core.moments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ChannelMomentsTest {

    @Test
    void meanAndPopulationVarianceOfAKnownSampleMatchTheClosedForm() {
        // Channel 0 sees 1, 2, 3, 4 (mean 2.5, population variance 1.25); channel 1 sees 10, 10, 10, 14.
        ChannelMoments m = new ChannelMoments(new double[] {2, 11});
        m.addValues(new float[] {1, 2, 10, 10, 3, 4, 10, 14}, 2, 2, 2);

        assertThat(m.count()).isEqualTo(4);
        assertThat(m.mean(0)).isEqualTo(2.5);
        assertThat(m.variance(0)).isEqualTo(1.25);
        assertThat(m.mean(1)).isEqualTo(11);
        assertThat(m.variance(1)).isEqualTo(3);
    }

    @Test
    void perSampleSumsAddTheSameAsRawValues() {
        double[] shift = {1, -1};
        ChannelMoments fromValues = new ChannelMoments(shift);
        fromValues.addValues(new float[] {2, 4, 0, 1, 5, 3, -2, -4}, 2, 2, 2);
        // Sample 0: channel 0 values 2, 4 -> Σ(x-1) = 4, Σ(x-1)² = 10; channel 1 values 0, 1 -> 3, 5.
        // Sample 1: channel 0 values 5, 3 -> 6, 20; channel 1 values -2, -4 -> -4, 10.
        ChannelMoments fromSums = new ChannelMoments(shift);
        fromSums.addSampleSums(new float[] {4, 3, 6, -4}, new float[] {10, 5, 20, 10}, 2, 2);

        for (int c = 0; c < 2; c++) {
            assertThat(fromSums.mean(c)).isEqualTo(fromValues.mean(c));
            assertThat(fromSums.variance(c)).isEqualTo(fromValues.variance(c));
        }
        assertThat(fromSums.count()).isEqualTo(fromValues.count());
    }

    @Test
    void mergingAccumulatorsWithDifferentShiftsEqualsOneAccumulatorOverAllValues() {
        float[] a = {1, 2, 3};
        float[] b = {10, 20};
        ChannelMoments left = new ChannelMoments(new double[] {0});
        left.addValues(a, 3, 1, 1);
        ChannelMoments right = new ChannelMoments(new double[] {15});
        right.addValues(b, 2, 1, 1);
        left.merge(right);

        // Values 1, 2, 3, 10, 20: mean 7.2, population variance (1+4+9+100+400)/5 - 7.2² = 102.8 - 51.84 = 50.96.
        assertThat(left.count()).isEqualTo(5);
        assertThat(left.mean(0)).isCloseTo(7.2, within(1e-12));
        assertThat(left.variance(0)).isCloseTo(514.0 / 5 - 7.2 * 7.2, within(1e-12));
    }

    @Test
    void stableForLargeOffsetsWhenShiftedByTheRunningMean() {
        // Naive Σx² − (Σx)²/n in float would lose everything at an offset of 1e4 with spread 1e-2.
        ChannelMoments m = new ChannelMoments(new double[] {10_000});
        m.addValues(new float[] {10_000f, 10_000.01f, 9_999.99f, 10_000f}, 4, 1, 1);
        double expected = (2 * Math.pow(10_000.01f - 10_000, 2) ) / 4;
        assertThat(m.variance(0)).isCloseTo(expected, within(1e-9));
    }

    @Test
    void emptyAccumulatorReportsNaN() {
        ChannelMoments m = new ChannelMoments(new double[] {0, 0});
        assertThat(m.count()).isZero();
        assertThat(m.mean(0)).isNaN();
        assertThat(m.variance(1)).isNaN();
    }

    @Test
    void bytesRoundTripKeepsEveryField() {
        ChannelMoments m = new ChannelMoments(new double[] {0.5, -3});
        m.addValues(new float[] {1, 2, 3, 4, 5, 6}, 3, 2, 1);
        ChannelMoments back = ChannelMoments.fromBytes(m.toBytes());

        assertThat(back.toBytes()).isEqualTo(m.toBytes());
        assertThat(back.shift()).containsExactly(0.5, -3);
        assertThat(back.count()).isEqualTo(3);
        assertThat(back.variance(1)).isEqualTo(m.variance(1));
    }

    @Test
    void bytesStartWithMagicAndVersionInBigEndian() {
        byte[] bytes = new ChannelMoments(new double[] {1}).toBytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertThat(b.getInt()).isEqualTo(0x5653434D);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(bytes).hasSize(4 + 1 + 4 + 8 + 3 * 8);
    }

    @Test
    void unknownVersionIsRefusedWithAMessage() {
        byte[] bytes = new ChannelMoments(new double[] {1}).toBytes();
        bytes[4] = 9;
        assertThatThrownBy(() -> ChannelMoments.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown format version 9");
    }

    @Test
    void truncatedOrForeignBytesAreRefusedWithAMessage() {
        byte[] bytes = new ChannelMoments(new double[] {1, 2}).toBytes();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(() -> ChannelMoments.fromBytes(truncated)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> ChannelMoments.fromBytes(new byte[3])).hasMessageContaining("header");
        byte[] foreign = bytes.clone();
        foreign[0] = 'X';
        assertThatThrownBy(() -> ChannelMoments.fromBytes(foreign)).hasMessageContaining("bad magic");
        byte[] nan = bytes.clone();
        ByteBuffer.wrap(nan).putDouble(17, Double.NaN);
        assertThatThrownBy(() -> ChannelMoments.fromBytes(nan)).hasMessageContaining("shift[0] = NaN");
    }

    @Test
    void badInputIsRefusedNamingTheArgument() {
        assertThatThrownBy(() -> new ChannelMoments(new double[0])).hasMessageContaining("at least one channel");
        assertThatThrownBy(() -> new ChannelMoments(new double[] {Double.NaN})).hasMessageContaining("shift[0] = NaN");
        ChannelMoments m = new ChannelMoments(new double[] {0, 0});
        assertThatThrownBy(() -> m.addSampleSums(new float[3], new float[4], 2, 1)).hasMessageContaining("s1: length 3");
        assertThatThrownBy(() -> m.addSampleSums(new float[4], new float[4], 2, 0)).hasMessageContaining("positionsPerSample = 0");
        assertThatThrownBy(() -> m.addValues(new float[4], 1, 3, 1)).hasMessageContaining("channels = 3");
        assertThatThrownBy(() -> m.merge(new ChannelMoments(new double[] {0}))).hasMessageContaining("1 channels");
    }
}
