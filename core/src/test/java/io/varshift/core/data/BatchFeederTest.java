package io.varshift.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchFeederTest {

    private static final float[] VALUES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    private static final ImageSet SET = ImageSet.ofFloats(VALUES, new int[] {3, 1, 4}, 1, 2, 2);

    @Test
    void batchesCarryTheSamplesAndShapeAndSurviveBufferReuse() {
        BatchFeeder feeder = new BatchFeeder(2, 1, 2, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray first = feeder.images(manager, SET, 0, 2);
            NDArray second = feeder.images(manager, SET, new int[] {2, 0}, 0, 2);
            assertThat(first.getShape().getShape()).containsExactly(2, 1, 2, 2);
            // The feeder reuses one buffer: the first batch must still hold its own values.
            assertThat(first.toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(second.toFloatArray()).containsExactly(8, 9, 10, 11, 0, 1, 2, 3);
            assertThat(feeder.labels(manager, SET, 1, 3).toFloatArray()).containsExactly(1, 4);
            assertThat(feeder.labels(manager, SET, new int[] {2, 0}, 0, 2).toFloatArray()).containsExactly(4, 3);
        }
    }

    @Test
    void byteImagesAreScaledToTheUnitRange() {
        ImageSet bytes = ImageSet.ofUnsignedBytes(new byte[] {0, (byte) 255, (byte) 51, 102}, null, 1, 2, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(new BatchFeeder(1, 1, 2, 2).images(manager, bytes, 0, 1).toFloatArray())
                    .containsExactly(0f, 1f, 0.2f, 0.4f);
        }
        assertThat(bytes.hasLabels()).isFalse();
        assertThatThrownBy(() -> bytes.label(0)).hasMessageContaining("no labels");
    }

    @Test
    void oversizedBatchesAndMismatchedShapesAreRefused() {
        BatchFeeder feeder = new BatchFeeder(2, 1, 2, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> feeder.images(manager, SET, 0, 3)).hasMessageContaining("serves 1..2");
            assertThatThrownBy(() -> new BatchFeeder(2, 4).images(manager, SET, 0, 1))
                    .hasMessageContaining("does not match the feeder's sample shape");
        }
        assertThatThrownBy(() -> ImageSet.ofFloats(new float[5], null, 1, 2, 2))
                .hasMessageContaining("5 values are not a whole number of samples");
        assertThatThrownBy(() -> ImageSet.ofFloats(new float[4], new int[2], 1, 2, 2))
                .hasMessageContaining("2 labels for 1 samples");
    }
}
