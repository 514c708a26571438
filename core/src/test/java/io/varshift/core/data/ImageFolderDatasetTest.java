package io.varshift.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImageFolderDatasetTest {

    private static final int RED = 0xff0000;
    private static final int GREEN = 0x14b428;
    private static final int BLUE = 0x1e3cdc;
    private static final int SAND = 0xc8aa64;
    /** Sample index of each class's first image: classes sorted, five images each. */
    private static final int FIRST_BLUE = 0;
    private static final int FIRST_GREEN = 5;
    private static final int FIRST_RED = 10;
    private static final int FIRST_SAND = 15;

    /**
     * 4 classes x 5 images of 32x32, created out of name order. Image 00 of each class is the solid
     * colour, the others carry seeded noise; blue/00.png is 40 wide and 30 high, green/04 is a JPEG.
     */
    private static Path fourClasses(Path dir) throws IOException {
        Random noise = new Random(42);
        int[] colours = {SAND, RED, BLUE, GREEN};
        String[] names = {"sand", "red", "blue", "green"};
        for (int c = 0; c < names.length; c++) {
            Path folder = Files.createDirectories(dir.resolve(names[c]));
            for (int i = 0; i < 5; i++) {
                boolean wide = names[c].equals("blue") && i == 0;
                boolean jpeg = names[c].equals("green") && i == 4;
                writeImage(folder.resolve("0" + i + (jpeg ? ".jpg" : ".png")), jpeg ? "jpg" : "png",
                        wide ? 40 : 32, wide ? 30 : 32, colours[c], i == 0 ? null : noise);
            }
        }
        Files.writeString(dir.resolve("red").resolve(".DS_Store"), "hidden, skipped");
        Files.createDirectories(dir.resolve(".cache"));
        Files.writeString(dir.resolve("README.txt"), "not a class folder, skipped");
        return dir;
    }

    private static void writeImage(Path file, String format, int width, int height, int rgb, Random noise)
            throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, noise == null ? rgb : jitter(rgb, noise));
            }
        }
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
    }

    private static int jitter(int rgb, Random noise) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int channel = Math.max(0, Math.min(255, ((rgb >> shift) & 0xff) + noise.nextInt(11) - 5));
            out |= channel << shift;
        }
        return out;
    }

    private static float[] sample(ImageSet set, int i) {
        float[] values = new float[set.sampleSize()];
        for (int j = 0; j < values.length; j++) {
            values[j] = set.value(i, j);
        }
        return values;
    }

    private static float[] plane(float[] sample, int channel, int planeSize) {
        return Arrays.copyOfRange(sample, channel * planeSize, (channel + 1) * planeSize);
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        Arrays.fill(values, value);
        return values;
    }

    @Test
    void fourClassFoldersLoadAs3x32x32SamplesLabelledInSortedFolderOrder(@TempDir Path dir) throws IOException {
        LabelledData data = ImageFolderDataset.load(fourClasses(dir), 3, 32, 32, 100);

        ImageSet images = data.images();
        assertThat(images.size()).isEqualTo(20);
        assertThat(images.sampleShape()).containsExactly(3, 32, 32);
        assertThat(data.classes()).containsExactly("blue", "green", "red", "sand");
        for (int i = 0; i < 20; i++) {
            assertThat(images.label(i)).as("image %d", i).isEqualTo(i / 5);
        }
        assertThat(data.source()).isEqualTo("image folder " + dir + " (4 classes, 20 images)");
    }

    @Test
    void aSolidRedPngReadsAsOneInTheRedPlaneAndZeroInTheOthers(@TempDir Path dir) throws IOException {
        ImageSet images = ImageFolderDataset.load(fourClasses(dir), 3, 32, 32, 100).images();

        float[] red = sample(images, FIRST_RED);
        assertThat(plane(red, 0, 32 * 32)).containsOnly(1f);
        assertThat(plane(red, 1, 32 * 32)).containsOnly(0f);
        assertThat(plane(red, 2, 32 * 32)).containsOnly(0f);
    }

    @Test
    void oneChannelIsTheLuminanceOfRgb(@TempDir Path dir) throws IOException {
        ImageSet images = ImageFolderDataset.load(fourClasses(dir), 1, 32, 32, 100).images();

        assertThat(images.sampleShape()).containsExactly(1, 32, 32);
        double luminance = (0.299 * 0xc8 + 0.587 * 0xaa + 0.114 * 0x64) / 255;
        for (float value : sample(images, FIRST_SAND)) {
            assertThat((double) value).isCloseTo(luminance, within(1e-6));
        }
    }

    @Test
    void anImageOfAnotherSizeIsResizedToTheRequestedOne(@TempDir Path dir) throws IOException {
        ImageSet images = ImageFolderDataset.load(fourClasses(dir), 3, 32, 32, 100).images();

        float[] blue = sample(images, FIRST_BLUE);
        assertThat(blue).as("a 40x30 solid image stays solid at 32x32").hasSize(3 * 32 * 32);
        assertThat(plane(blue, 0, 32 * 32)).containsOnly(0x1e / 255f);
        assertThat(plane(blue, 1, 32 * 32)).containsOnly(0x3c / 255f);
        assertThat(plane(blue, 2, 32 * 32)).containsOnly(0xdc / 255f);

        ImageSet small = ImageFolderDataset.load(dir, 3, 16, 24, 100).images();
        assertThat(small.sampleShape()).containsExactly(3, 16, 24);
        assertThat(plane(sample(small, FIRST_RED), 0, 16 * 24)).containsOnly(1f);
    }

    @Test
    void aJpegIsReadAlongsidePngs(@TempDir Path dir) throws IOException {
        ImageSet images = ImageFolderDataset.load(fourClasses(dir), 3, 32, 32, 100).images();

        float[] jpeg = sample(images, FIRST_GREEN + 4);
        float[] expected = {0x14 / 255f, 0xb4 / 255f, 0x28 / 255f};
        for (int channel = 0; channel < 3; channel++) {
            for (float value : plane(jpeg, channel, 32 * 32)) {
                assertThat(value).as("channel %d, lossy and noisy", channel).isCloseTo(expected[channel], within(0.1f));
            }
        }
    }

    @Test
    void aGreyPngKeepsItsGreyLevelsAndReportsOneChannel(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"dark", "light"}) {
            BufferedImage grey = new BufferedImage(28, 20, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 28; x++) {
                    grey.getRaster().setSample(x, y, 0, name.equals("dark") ? 50 : 128);
                }
            }
            ImageIO.write(grey, "png", Files.createDirectories(dir.resolve(name)).resolve("a.png").toFile());
        }

        assertThat(ImageFolderDataset.firstImageShape(dir)).containsExactly(1, 20, 28);
        ImageSet images = ImageFolderDataset.load(dir, 1, 20, 28, 10).images();
        assertThat(sample(images, 1)).as("not gamma-corrected to 188").containsOnly(128 / 255f);
        assertThat(sample(ImageFolderDataset.load(dir, 3, 20, 28, 10).images(), 0))
                .as("grey as RGB repeats the level in every channel").containsOnly(50 / 255f);
    }

    @Test
    void firstImageShapeIsThatOfTheFirstImageInLoadOrder(@TempDir Path dir) throws IOException {
        assertThat(ImageFolderDataset.firstImageShape(fourClasses(dir))).containsExactly(3, 30, 40);
    }

    @Test
    void aSingleClassFolderIsRefused(@TempDir Path dir) throws IOException {
        writeImage(Files.createDirectories(dir.resolve("only")).resolve("a.png"), "png", 4, 4, RED, null);
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 4, 4, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds one class folder [only]; a classifier needs at least 2 classes");
    }

    @Test
    void anEmptyClassFolderIsRefused(@TempDir Path dir) throws IOException {
        writeImage(Files.createDirectories(dir.resolve("a")).resolve("x.png"), "png", 4, 4, RED, null);
        Files.createDirectories(dir.resolve("b"));
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 4, 4, 10))
                .hasMessageContaining("class folder " + dir.resolve("b") + " holds no image");
    }

    @Test
    void aFileThatIsNotAnImageIsRefusedNamingItAndTheAcceptedExtensions(@TempDir Path dir) throws IOException {
        fourClasses(dir);
        Files.writeString(dir.resolve("red").resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 32, 32, 100))
                .hasMessageContaining(dir.resolve("red").resolve("notes.txt") + " is not a PNG or JPEG file")
                .hasMessageContaining(".png, .jpg, .jpeg");
    }

    @Test
    void aCorruptPngIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        fourClasses(dir);
        Files.write(dir.resolve("sand").resolve("zz.png"), new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 32, 32, 100))
                .hasMessageContaining(dir.resolve("sand").resolve("zz.png") + " is not a readable");

        byte[] png = Files.readAllBytes(dir.resolve("sand").resolve("00.png"));
        Files.write(dir.resolve("sand").resolve("zz.png"), Arrays.copyOf(png, 60));
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 32, 32, 100))
                .hasMessageContaining(dir.resolve("sand").resolve("zz.png") + " is not a readable");
    }

    @Test
    void aMissingFolderOrOneWithoutClassFoldersIsRefused(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("nope"), 3, 32, 32, 10))
                .hasMessageContaining("nope does not exist");
        writeImage(dir.resolve("loose.png"), "png", 4, 4, RED, null);
        assertThatThrownBy(() -> ImageFolderDataset.firstImageShape(dir))
                .hasMessageContaining("holds no class folder; put each class's images in " + dir.resolve("<class name>"));
    }

    @Test
    void badChannelsSizeOrTooManyImagesAreRefused(@TempDir Path dir) throws IOException {
        fourClasses(dir);
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 2, 32, 32, 100))
                .hasMessageContaining("channels must be 1 (grey) or 3 (RGB), got 2");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 0, 32, 100))
                .hasMessageContaining("image size 0x32 is outside 1..1024");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 32, 1025, 100))
                .hasMessageContaining("image size 32x1025 is outside 1..1024");
        assertThatThrownBy(() -> ImageFolderDataset.load(dir, 3, 32, 32, 19))
                .hasMessageContaining("holds 20 images, more than the limit of 19");
    }
}
