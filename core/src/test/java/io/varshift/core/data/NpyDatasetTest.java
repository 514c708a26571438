package io.varshift.core.data;

import io.varshift.core.codec.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyDatasetTest {

    private static final long[] SHAPE = {1, 2, 2};

    @Test
    void filesAreReadInNameOrderWithSingleSamplesAndBatches(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("b.npy"), NpyWriter.float32(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, 2, 1, 2, 2));
        Files.write(dir.resolve("a.npy"), NpyWriter.float32(new float[] {1, 2, 3, 4}, 1, 2, 2));
        Files.write(dir.resolve("c.npy"), NpyWriter.uint8(new byte[] {0, (byte) 255, 0, (byte) 255}, 1, 1, 2, 2));
        Files.writeString(dir.resolve("notes.txt"), "ignored");

        ImageSet set = NpyDataset.load(dir, SHAPE, 100);

        assertThat(set.size()).isEqualTo(4);
        assertThat(set.hasLabels()).isFalse();
        float[] got = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                got[i * 4 + j] = set.value(i, j);
            }
        }
        assertThat(got).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 0, 1);
    }

    @Test
    void aFileOfTheWrongShapeIsRefusedWithItsNameAndReason(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("bad.npy"), NpyWriter.float32(new float[9], 1, 3, 3));
        assertThatThrownBy(() -> NpyDataset.load(dir, SHAPE, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.npy refused (SHAPE_MISMATCH)");
    }

    @Test
    void moreSamplesThanTheCapAreRefused(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.npy"), NpyWriter.float32(new float[12], 3, 1, 2, 2));
        assertThatThrownBy(() -> NpyDataset.load(dir, SHAPE, 2)).hasMessageContaining("refused");
        Files.write(dir.resolve("b.npy"), NpyWriter.float32(new float[4], 1, 2, 2));
        assertThatThrownBy(() -> NpyDataset.load(dir, SHAPE, 3)).hasMessageContaining("more than 3 samples");
    }

    @Test
    void aMissingOrEmptyDirectoryIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> NpyDataset.load(dir.resolve("nope"), SHAPE, 10)).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> NpyDataset.load(dir, SHAPE, 10)).hasMessageContaining("holds no .npy file");
    }
}
