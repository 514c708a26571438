package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varshift.core.moments.ChannelMoments;
import org.junit.jupiter.api.Test;

/** Selecting rows: every selected row keeps its sums and cells, in the selected order. */
class SampleContributionsTest {

    private static final int CHANNELS = 2;
    private static final int CELLS = 3;

    /** Row r has sums (r, 10 + r) per channel c (+ c) and cell f = 100·r + f. */
    private static SampleContributions numbered(int rows) {
        SampleContributions out = new SampleContributions(new double[] {0.5, -0.5}, 4);
        float[] s1 = new float[rows * CHANNELS];
        float[] s2 = new float[rows * CHANNELS];
        float[] cells = new float[rows * CHANNELS * CELLS];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < CHANNELS; c++) {
                s1[r * CHANNELS + c] = r + c;
                s2[r * CHANNELS + c] = 10 + r + c;
            }
            for (int f = 0; f < CHANNELS * CELLS; f++) {
                cells[r * CHANNELS * CELLS + f] = 100 * r + f;
            }
        }
        out.add(s1, s2, rows);
        out.addCells(cells, rows, CELLS);
        return out;
    }

    @Test
    void aSelectionHoldsTheChosenRowsInOrderWithTheirCellsAndTheShift() {
        SampleContributions all = numbered(6);
        int[] chosen = {4, 1, 1, 5};
        SampleContributions some = all.select(chosen);
        assertThat(some.samples()).isEqualTo(4);
        assertThat(some.shift()).containsExactly(0.5, -0.5);
        assertThat(some.positionsPerSample()).isEqualTo(4);
        assertThat(some.hasCells()).isTrue();
        float[] cells = some.cellMeans();
        for (int i = 0; i < chosen.length; i++) {
            assertThat(cells[i * CHANNELS * CELLS + 2]).isEqualTo(100f * chosen[i] + 2);
        }
        // The selection's total is the sum of the chosen rows of the original.
        float[] scratch1 = new float[chosen.length * CHANNELS];
        float[] scratch2 = new float[chosen.length * CHANNELS];
        ChannelMoments expected = all.sum(chosen, chosen.length, scratch1, scratch2);
        ChannelMoments actual = some.total();
        assertThat(actual.count()).isEqualTo(expected.count());
        for (int c = 0; c < CHANNELS; c++) {
            assertThat(actual.mean(c)).isEqualTo(expected.mean(c));
            assertThat(actual.variance(c)).isEqualTo(expected.variance(c));
        }
    }

    @Test
    void aRowOutsideTheSetIsRefused() {
        assertThatThrownBy(() -> numbered(3).select(new int[] {0, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 3 is outside [0, 3)");
    }
}
