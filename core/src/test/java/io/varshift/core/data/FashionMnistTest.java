package io.varshift.core.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FashionMnistTest {

    private static ImageSet test;

    @BeforeAll
    static void readHeldOutSet() {
        test = FashionMnist.installed().test();
    }

    @Test
    void heldOutSetHasTenThousandLabelledImagesOf28x28InUnitRange() {
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.sampleShape()).containsExactly(1, 28, 28);
        int[] perClass = new int[10];
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < test.size(); i++) {
            perClass[test.label(i)]++;
            for (int j = 0; j < test.sampleSize(); j += 7) {
                min = Math.min(min, test.value(i, j));
                max = Math.max(max, test.value(i, j));
            }
        }
        // Fashion-MNIST is balanced: 1000 held-out images per class.
        assertThat(perClass).containsOnly(1000);
        assertThat(min).isEqualTo(0f);
        assertThat(max).isEqualTo(1f);
    }

    @Test
    void trainingSetHasSixtyThousandBalancedImagesStartingWithAnAnkleBoot() {
        ImageSet train = FashionMnist.installed().train();
        assertThat(train.size()).isEqualTo(60_000);
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        assertThat(perClass).containsOnly(6000);
        assertThat(FashionMnist.CLASSES.get(train.label(0))).isEqualTo("Ankle boot");
    }

    @Test
    void slicesAreViewsOfTheSameSamples() {
        ImageSet tail = test.slice(9_000, 10_000);
        assertThat(tail.size()).isEqualTo(1000);
        assertThat(tail.label(5)).isEqualTo(test.label(9_005));
        assertThat(tail.value(5, 400)).isEqualTo(test.value(9_005, 400));
        assertThatThrownBy(() -> test.slice(5, 10_001)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void missingFilesNameTheDebianPackage(@TempDir Path dir) {
        assertThatThrownBy(() -> FashionMnist.in(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz is missing")
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void aFileWithTheWrongMagicIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.gz");
        writeGzip(file, 0x00000801, 3, 28, 28);
        assertThatThrownBy(() -> FashionMnist.readIdx(file, 0x00000803, 3))
                .hasMessageContaining("magic 0x00000801, expected 0x00000803");
    }

    @Test
    void aTruncatedFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.gz");
        writeGzip(file, 0x00000803, 3, 28, 28);
        assertThatThrownBy(() -> FashionMnist.readIdx(file, 0x00000803, 3)).hasMessageContaining("is truncated");
    }

    @Test
    void aFileWithTheWrongImageSideIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.gz");
        writeGzip(file, 0x00000803, 1, 32, 32);
        assertThatThrownBy(() -> FashionMnist.readIdx(file, 0x00000803, 3)).hasMessageContaining("image side 32");
    }

    /** An IDX header with the given magic and dims and only 10 payload bytes. */
    private static void writeGzip(Path file, int magic, int... dims) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(new byte[10]);
        }
    }
}
