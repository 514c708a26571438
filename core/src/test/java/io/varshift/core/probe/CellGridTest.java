package io.varshift.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CellGridTest {

    @Test
    void bandsCutEachSideAtTheFloorOfEqualShares() {
        // 14 rows in 4 bands: [0,3) [3,7) [7,10) [10,14).
        assertThat(CellGrid.of(14, 14).cellSizes()).containsExactly(
                9, 12, 9, 12, 12, 16, 12, 16, 9, 12, 9, 12, 12, 16, 12, 16);
        assertThat(CellGrid.of(28, 28).cellSizes()).containsOnly(49);
        // 7 in 4 bands: [0,1) [1,3) [3,5) [5,7).
        assertThat(CellGrid.of(7, 1).cellSizes()).containsExactly(1, 2, 2, 2);
        assertThat(CellGrid.of(2, 3).cells()).isEqualTo(6);
        assertThat(CellGrid.of().cells()).isEqualTo(1);
        assertThat(CellGrid.of(10).cells()).isEqualTo(4);
    }

    @Test
    void averagingMatrixAndHostMeansEqualABruteForceMeanOverEachRectangle() {
        SplittableRandom random = new SplittableRandom(3);
        for (int[] hw : new int[][] {{28, 28}, {14, 14}, {7, 7}, {5, 3}, {1, 9}, {1, 1}}) {
            int h = hw[0];
            int w = hw[1];
            CellGrid grid = CellGrid.of(h, w);
            float[] x = new float[h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            int rows = Math.min(4, h);
            int columns = Math.min(4, w);
            double[] host = new double[grid.cells()];
            grid.cellMeans(x, 0, host);
            float[] matrix = grid.averagingMatrix();
            for (int by = 0; by < rows; by++) {
                for (int bx = 0; bx < columns; bx++) {
                    double sum = 0;
                    int n = 0;
                    for (int y = by * h / rows; y < (by + 1) * h / rows; y++) {
                        for (int xx = bx * w / columns; xx < (bx + 1) * w / columns; xx++) {
                            sum += x[y * w + xx];
                            n++;
                        }
                    }
                    int cell = by * columns + bx;
                    double viaMatrix = 0;
                    for (int p = 0; p < h * w; p++) {
                        viaMatrix += x[p] * matrix[p * grid.cells() + cell];
                    }
                    assertThat(host[cell]).as("%dx%d cell %d", h, w, cell).isCloseTo(sum / n, within(1e-9));
                    assertThat(viaMatrix).as("%dx%d cell %d", h, w, cell).isCloseTo(sum / n, within(1e-5));
                }
            }
        }
    }

    @Test
    void moreThanTwoSpatialAxesAreRefusedByName() {
        assertThatThrownBy(() -> CellGrid.of(2, 3, 4)).hasMessageContaining("3 spatial axes");
    }
}
