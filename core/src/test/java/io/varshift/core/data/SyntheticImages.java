package io.varshift.core.data;

import io.varshift.core.codec.NpyWriter;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Labelled images made from a seed, standing in for a user's own data set in tests: class k is a
 * soft blob of its own colour and size at a random place on a noisy background, so a small ConvNet
 * learns the classes in one epoch and the BN inputs vary from image to image. Values lie in [0, 1],
 * channel-major, as the readers give them; written as 8-bit PNG folders or NPY pairs, they read back
 * to the same values.
 */
public final class SyntheticImages {

    /** Per class: an RGB colour in [0, 1] (grey images take its luminance). */
    private static final double[][] COLOURS = {
            {0.9, 0.2, 0.2}, {0.2, 0.8, 0.3}, {0.2, 0.3, 0.9}, {0.9, 0.8, 0.2},
            {0.8, 0.3, 0.8}, {0.3, 0.8, 0.8}, {0.6, 0.6, 0.6}, {0.9, 0.5, 0.1}};

    private SyntheticImages() {
    }

    /** Class names of {@code classes} synthetic classes, in label order. */
    public static List<String> classNames(int classes) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add("blob-" + (char) ('a' + k));
        }
        return names;
    }

    /**
     * {@code perClass} images of each class, class by class, quantised to 8 bits as a PNG stores them.
     *
     * @throws IllegalArgumentException for more than 8 classes or channels other than 1 and 3
     */
    public static ImageSet images(int classes, int perClass, int channels, int height, int width, long seed) {
        if (classes < 1 || classes > COLOURS.length || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("synthetic images: 1.." + COLOURS.length + " classes of 1 or 3 channels,"
                    + " got " + classes + " and " + channels);
        }
        Random random = new Random(seed);
        int plane = height * width;
        float[] values = new float[classes * perClass * channels * plane];
        int[] labels = new int[classes * perClass];
        for (int k = 0, i = 0; k < classes; k++) {
            for (int n = 0; n < perClass; n++, i++) {
                labels[i] = k;
                double cy = height * (0.25 + 0.5 * random.nextDouble());
                double cx = width * (0.25 + 0.5 * random.nextDouble());
                double radius = Math.min(height, width) * (0.12 + 0.05 * k + 0.04 * random.nextDouble());
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double d2 = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (radius * radius);
                        double blob = Math.exp(-d2);
                        double noise = 0.08 * random.nextGaussian();
                        for (int c = 0; c < channels; c++) {
                            double colour = channels == 3 ? COLOURS[k][c]
                                    : 0.299 * COLOURS[k][0] + 0.587 * COLOURS[k][1] + 0.114 * COLOURS[k][2];
                            double v = 0.15 + blob * (colour - 0.15) + noise;
                            values[(i * channels + c) * plane + y * width + x] = quantise(v);
                        }
                    }
                }
            }
        }
        return ImageSet.ofFloats(values, labels, channels, height, width);
    }

    /** Writes {@link #images} as a folder of PNGs, one sub-folder per class name; returns the folder. */
    public static Path writeFolder(Path dir, int classes, int perClass, int channels, int height, int width,
            long seed) {
        ImageSet set = images(classes, perClass, channels, height, width, seed);
        List<String> names = classNames(classes);
        try {
            for (int i = 0; i < set.size(); i++) {
                Path folder = Files.createDirectories(dir.resolve(names.get(set.label(i))));
                BufferedImage image = new BufferedImage(width, height,
                        channels == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int at = y * width + x;
                        if (channels == 3) {
                            int r = level(set.value(i, at));
                            int g = level(set.value(i, height * width + at));
                            int b = level(set.value(i, 2 * height * width + at));
                            image.setRGB(x, y, (r << 16) | (g << 8) | b);
                        } else {
                            image.getRaster().setSample(x, y, 0, level(set.value(i, at)));
                        }
                    }
                }
                ImageIO.write(image, "png", folder.resolve(String.format("img-%05d.png", i)).toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic images to " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** Writes {@link #images} as images.npy (uint8), labels.npy (int64) and classes.txt; returns the folder. */
    public static Path writeNpy(Path dir, int classes, int perClass, int channels, int height, int width, long seed) {
        ImageSet set = images(classes, perClass, channels, height, width, seed);
        byte[] pixels = new byte[set.size() * set.sampleSize()];
        long[] labels = new long[set.size()];
        for (int i = 0; i < set.size(); i++) {
            labels[i] = set.label(i);
            for (int j = 0; j < set.sampleSize(); j++) {
                pixels[i * set.sampleSize() + j] = (byte) level(set.value(i, j));
            }
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("images.npy"), NpyWriter.uint8(pixels, set.size(), channels, height, width));
            Files.write(dir.resolve("labels.npy"), NpyWriter.int64(labels, set.size()));
            Files.writeString(dir.resolve("classes.txt"), String.join("\n", classNames(classes)) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic NPY data to " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    private static float quantise(double v) {
        return level((float) v) / 255f;
    }

    private static int level(float v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
