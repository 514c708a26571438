package io.varshift.core.data;

import io.varshift.core.codec.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelledNpyDatasetTest {

    /** Three 1x2x2 images with values that float32 holds exactly only when copied bit for bit. */
    private static final float[] PIXELS = {0.1f, 0.2f, 0.3f, 0.4f, 1e-7f, 0.5f, 0.6f, 0.7f, 1f, 0f, 0.33333334f, 0.9f};

    /** An NPY v1.0 file as numpy writes it: header dict padded with spaces to a multiple of 64, ending in '\n'. */
    private static byte[] npy(String descr, String shape, byte[] data) {
        return npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }", data);
    }

    private static byte[] npy(String dict, byte[] data) {
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        byte[] text = header.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(10 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) text.length).put(text).put(data).array();
    }

    private static byte[] int64(long... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            out.putLong(v);
        }
        return out.array();
    }

    private static byte[] int32(int... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            out.putInt(v);
        }
        return out.array();
    }

    private static void write(Path dir, byte[] images, byte[] labels) throws IOException {
        Files.write(dir.resolve("images.npy"), images);
        Files.write(dir.resolve("labels.npy"), labels);
    }

    private static float[] values(ImageSet set) {
        float[] all = new float[set.size() * set.sampleSize()];
        for (int i = 0; i < set.size(); i++) {
            for (int j = 0; j < set.sampleSize(); j++) {
                all[i * set.sampleSize() + j] = set.value(i, j);
            }
        }
        return all;
    }

    private static int[] labels(ImageSet set) {
        int[] labels = new int[set.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = set.label(i);
        }
        return labels;
    }

    @Test
    void float32ImagesAndInt64LabelsRoundTripExactlyWithClassesNamedByNumber(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(2, 0, 1)));

        LabelledData data = LabelledNpyDataset.load(dir, 10);

        assertThat(data.images().sampleShape()).containsExactly(1, 2, 2);
        assertThat(values(data.images())).containsExactly(PIXELS);
        assertThat(labels(data.images())).containsExactly(2, 0, 1);
        assertThat(data.classes()).containsExactly("0", "1", "2");
        assertThat(data.source()).isEqualTo("labelled NPY directory " + dir + " (3 classes, 3 images)");
    }

    @Test
    void uint8ImagesOfShapeNHWAreOneChannelScaledBy1Over255(@TempDir Path dir) throws IOException {
        byte[] pixels = {0, 1, 2, (byte) 128, (byte) 254, (byte) 255, 7, 8, 9, 10, 11, 12};
        write(dir, NpyWriter.uint8(pixels, 2, 2, 3), npy("|u1", "(2,)", new byte[] {1, 0}));

        ImageSet images = LabelledNpyDataset.load(dir, 10).images();

        assertThat(images.sampleShape()).containsExactly(1, 2, 3);
        float[] expected = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            expected[i] = (pixels[i] & 0xff) / 255f;
        }
        assertThat(values(images)).containsExactly(expected);
        assertThat(labels(images)).containsExactly(1, 0);
    }

    @Test
    void int32LabelsAreRead(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i4", "(3,)", int32(4, 4, 0)));

        LabelledData data = LabelledNpyDataset.load(dir, 10);

        assertThat(labels(data.images())).containsExactly(4, 4, 0);
        assertThat(data.classes()).containsExactly("0", "1", "2", "3", "4");
    }

    @Test
    void classesTxtNamesTheClassesInLabelOrderIgnoringTrailingBlankLines(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 2, 0)));
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\nbird\n\n\n");

        LabelledData data = LabelledNpyDataset.load(dir, 10);

        assertThat(data.classes()).as("dog has no sample, which is allowed").containsExactly("cat", "dog", "bird");
        assertThat(labels(data.images())).containsExactly(0, 2, 0);
    }

    @Test
    void aMissingDirectoryOrFileIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir.resolve("nope"), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope does not exist");
        Files.write(dir.resolve("images.npy"), NpyWriter.float32(PIXELS, 3, 1, 2, 2));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels.npy is missing")
                .hasMessageContaining("images.npy [N, C, H, W], labels.npy [N]");
    }

    @Test
    void fortranOrderIsRefused(@TempDir Path dir) throws IOException {
        byte[] images = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 1, 2, 2), }",
                new byte[PIXELS.length * Float.BYTES]);
        write(dir, images, npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy is in Fortran order; save it in C order");
    }

    @Test
    void anImageDtypeOtherThanFloat32OrUint8IsRefusedListingTheAcceptedOnes(@TempDir Path dir) throws IOException {
        write(dir, npy("<f8", "(3, 1, 2, 2)", new byte[3 * 4 * 8]), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy has dtype '<f8'")
                .hasMessageContaining("float32 '<f4'").hasMessageContaining("uint8 '|u1'");
    }

    @Test
    void aLabelDtypeOtherThanInt64Int32OrUint8IsRefusedListingTheAcceptedOnes(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), NpyWriter.float32(new float[] {0, 1, 2}, 3));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("labels.npy has dtype '<f4'")
                .hasMessageContaining("int64 '<i8', int32 '<i4' or uint8 '|u1'");
    }

    @Test
    void fewerLabelsThanImagesAreRefused(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(2,)", int64(0, 1)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("labels.npy holds 2 labels but")
                .hasMessageContaining("images.npy holds 3 images; give one label per image");
    }

    @Test
    void aNegativeLabelIsRefusedWithItsIndex(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, -1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("labels.npy has label -1 at index 1");
    }

    @Test
    void aLabelWithoutANameInClassesTxtIsRefused(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 1, 2)));
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("label 2 at index 2 has no name")
                .hasMessageContaining("classes.txt names 2 classes");
    }

    @Test
    void aBlankLineOrADuplicateInClassesTxtIsRefused(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 1, 1)));
        Files.writeString(dir.resolve("classes.txt"), "cat\n\ndog\n");
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10)).hasMessageContaining("classes.txt line 2 is blank");
        Files.writeString(dir.resolve("classes.txt"), "cat\ncat\n");
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("class name 'cat' appears twice");
    }

    @Test
    void aNonFinitePixelIsRefusedNamingTheFirstBadIndex(@TempDir Path dir) throws IOException {
        float[] pixels = PIXELS.clone();
        pixels[5] = Float.NaN;
        pixels[9] = Float.POSITIVE_INFINITY;
        write(dir, NpyWriter.float32(pixels, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy holds NaN at flat index 5 (image 1)");
    }

    @Test
    void float32PixelsOutsideZeroToOneAreRefusedNamingTheFix(@TempDir Path dir) throws IOException {
        float[] pixels = PIXELS.clone();
        pixels[7] = 200f;
        write(dir, NpyWriter.float32(pixels, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("holds 200.0 at flat index 7 (image 1)")
                .hasMessageContaining("must lie in [0, 1]").hasMessageContaining("divide 0..255 pixels by 255");
    }

    @Test
    void channelsLastImagesAreRefusedWithTheTranspose(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(new float[2 * 4 * 4 * 3], 2, 4, 4, 3), npy("<i8", "(2,)", int64(0, 1)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("looks like channels last").hasMessageContaining("numpy.transpose(images, (0, 3, 1, 2))");
    }

    @Test
    void moreImagesThanTheCapAreRefused(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 3, 1, 2, 2), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 2))
                .hasMessageContaining("holds 3 images, more than the limit of 2");
    }

    @Test
    void imagesOfAWrongRankOrTruncatedDataAreRefused(@TempDir Path dir) throws IOException {
        write(dir, NpyWriter.float32(PIXELS, 12), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy has shape (12,); save the images as (N, C, H, W)");
        Files.write(dir.resolve("images.npy"), npy("<f4", "(3, 1, 2, 2)", new byte[40]));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy has 40 data bytes but shape (3, 1, 2, 2) of dtype '<f4' needs 48");
    }

    @Test
    void bytesThatAreNotNpyAreRefused(@TempDir Path dir) throws IOException {
        write(dir, "not an array".getBytes(StandardCharsets.US_ASCII), npy("<i8", "(3,)", int64(0, 1, 2)));
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy is not a valid NPY file")
                .hasMessageContaining("write it with numpy.save");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        try (RandomAccessFile sparse = new RandomAccessFile(dir.resolve("images.npy").toFile(), "rw")) {
            sparse.setLength(LabelledNpyDataset.MAX_FILE_BYTES + 1L);
        }
        assertThatThrownBy(() -> LabelledNpyDataset.load(dir, 10))
                .hasMessageContaining("images.npy has " + (LabelledNpyDataset.MAX_FILE_BYTES + 1L)
                        + " bytes, more than the limit of " + LabelledNpyDataset.MAX_FILE_BYTES);
    }
}
