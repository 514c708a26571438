package io.varshift.core.moments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** ChannelMoments against two-pass brute force in double. */
class ChannelMomentsProperties {

    /** Random NC[HW] values around an offset, as float like the probes see them. */
    private static float[] values(Random random, int n, int channels, int positions, double offset, double scale) {
        float[] x = new float[n * channels * positions];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (offset + scale * random.nextGaussian());
        }
        return x;
    }

    private static double bruteMean(float[] x, int n, int channels, int positions, int c) {
        double sum = 0;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < positions; j++) {
                sum += x[(s * channels + c) * positions + j];
            }
        }
        return sum / ((long) n * positions);
    }

    private static double bruteVariance(float[] x, int n, int channels, int positions, int c) {
        double mean = bruteMean(x, n, channels, positions, c);
        double sum = 0;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < positions; j++) {
                double d = x[(s * channels + c) * positions + j] - mean;
                sum += d * d;
            }
        }
        return sum / ((long) n * positions);
    }

    private static double[] randomShift(Random random, int channels, double offset, double scale) {
        double[] k = new double[channels];
        for (int c = 0; c < channels; c++) {
            k[c] = offset + 3 * scale * random.nextGaussian();
        }
        return k;
    }

    @Property(tries = 60)
    void shiftedSumsAgreeWithTwoPassBruteForce(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int n,
            @ForAll @IntRange(min = 1, max = 6) int channels, @ForAll @IntRange(min = 1, max = 9) int positions,
            @ForAll @DoubleRange(min = -1e3, max = 1e3) double offset,
            @ForAll @DoubleRange(min = 1e-2, max = 1e2) double scale) {
        Random random = new Random(seed);
        float[] x = values(random, n, channels, positions, offset, scale);
        ChannelMoments m = new ChannelMoments(randomShift(random, channels, offset, scale));
        m.addValues(x, n, channels, positions);

        assertThat(m.count()).isEqualTo((long) n * positions);
        for (int c = 0; c < channels; c++) {
            double var = bruteVariance(x, n, channels, positions, c);
            assertThat(m.mean(c)).isCloseTo(bruteMean(x, n, channels, positions, c), within(1e-9 * (Math.abs(offset) + scale)));
            assertThat(m.variance(c)).isCloseTo(var, within(1e-9 * (var + scale * scale)));
        }
    }

    @Property(tries = 60)
    void mergeIsInvariantToPartitionOrderAndShifts(@ForAll long seed, @ForAll @IntRange(min = 2, max = 60) int n,
            @ForAll @IntRange(min = 1, max = 5) int channels, @ForAll @IntRange(min = 1, max = 6) int parts,
            @ForAll @DoubleRange(min = -100, max = 100) double offset) {
        Random random = new Random(seed);
        int positions = 4;
        double scale = 2;
        float[] x = values(random, n, channels, positions, offset, scale);
        int stride = channels * positions;

        // Split samples at random cut points; each part gets its own shift; merge in shuffled order.
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            cuts.add(i);
        }
        Collections.shuffle(cuts, random);
        List<Integer> bounds = new ArrayList<>(cuts.subList(0, Math.min(parts - 1, cuts.size())));
        bounds.add(0);
        bounds.add(n);
        Collections.sort(bounds);
        List<ChannelMoments> pieces = new ArrayList<>();
        for (int i = 0; i + 1 < bounds.size(); i++) {
            int from = bounds.get(i);
            int to = bounds.get(i + 1);
            float[] piece = java.util.Arrays.copyOfRange(x, from * stride, to * stride);
            ChannelMoments m = new ChannelMoments(randomShift(random, channels, offset, scale));
            m.addValues(piece, to - from, channels, positions);
            pieces.add(m);
        }
        Collections.shuffle(pieces, random);
        ChannelMoments total = new ChannelMoments(randomShift(random, channels, offset, scale));
        for (ChannelMoments piece : pieces) {
            total.merge(piece);
        }

        assertThat(total.count()).isEqualTo((long) n * positions);
        for (int c = 0; c < channels; c++) {
            double var = bruteVariance(x, n, channels, positions, c);
            assertThat(total.mean(c)).isCloseTo(bruteMean(x, n, channels, positions, c), within(1e-9 * (Math.abs(offset) + 1)));
            assertThat(total.variance(c)).isCloseTo(var, within(1e-9 * var));
        }
    }

    @Property(tries = 40)
    void bytesRoundTripIsExact(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int n,
            @ForAll @IntRange(min = 1, max = 16) int channels) {
        Random random = new Random(seed);
        ChannelMoments m = new ChannelMoments(randomShift(random, channels, 0, 1));
        m.addValues(values(random, n, channels, 3, 0.5, 2), n, channels, 3);
        ChannelMoments back = ChannelMoments.fromBytes(m.toBytes());

        assertThat(back.count()).isEqualTo(m.count());
        assertThat(back.shift()).containsExactly(m.shift());
        for (int c = 0; c < channels && n > 0; c++) {
            assertThat(back.mean(c)).isEqualTo(m.mean(c));
            assertThat(back.variance(c)).isEqualTo(m.variance(c));
        }
    }
}
