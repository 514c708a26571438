package io.varshift.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Labelled images from a folder holding one sub-folder of PNG or JPEG files per class, the layout
 * of torchvision's ImageFolder. Classes and files are taken in name order, so a folder always loads
 * the same way. Entries starting with '.' are skipped, and so are plain files beside the class folders.
 */
public final class ImageFolderDataset {

    /** Largest accepted image height or width after resizing. */
    public static final int MAX_SIDE = 1024;
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageFolderDataset() {
    }

    /**
     * Reads every image, converted to {@code channels} (1: grey by luminance 0.299R + 0.587G + 0.114B,
     * 3: RGB; alpha ignored), resized bilinearly to height x width when it differs, and scaled to [0, 1].
     * Samples are [channels, height, width], channel-major; labels index the sorted class names.
     *
     * @param maxSamples refuse more images than this (a memory cap)
     * @throws IllegalArgumentException naming the folder or file, the value and the fix
     */
    public static LabelledData load(Path dir, int channels, int height, int width, int maxSamples) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        if (height < 1 || height > MAX_SIDE || width < 1 || width > MAX_SIDE) {
            throw new IllegalArgumentException("image size " + height + "x" + width + " is outside 1.." + MAX_SIDE
                    + " per side; choose a height and width in that range");
        }
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, got " + maxSamples);
        }
        Map<String, List<Path>> classes = classFolders(dir);
        int total = classes.values().stream().mapToInt(List::size).sum();
        if (total > maxSamples) {
            throw new IllegalArgumentException("image folder " + dir + " holds " + total
                    + " images, more than the limit of " + maxSamples + "; raise the limit or use fewer images");
        }
        int sampleSize = channels * height * width;
        if ((long) total * sampleSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(total + " images of " + channels + "x" + height + "x" + width
                    + " do not fit in memory at once; lower the image size or use fewer images");
        }
        float[] samples = new float[total * sampleSize];
        int[] labels = new int[total];
        int i = 0;
        int label = 0;
        for (List<Path> files : classes.values()) {
            for (Path file : files) {
                int[] rgb = resizedRgb(read(file), height, width);
                writeSample(rgb, channels, samples, i * sampleSize);
                labels[i++] = label;
            }
            label++;
        }
        String source = "image folder " + dir + " (" + classes.size() + " classes, " + total + " images)";
        return new LabelledData(ImageSet.ofFloats(samples, labels, channels, height, width),
                List.copyOf(classes.keySet()), source);
    }

    /**
     * {channels, height, width} of the first image in load order, channels being 1 for a grey image
     * and 3 otherwise, so that a caller can take the input shape from the data.
     *
     * @throws IllegalArgumentException as {@link #load} does for the folder layout and that image
     */
    public static int[] firstImageShape(Path dir) {
        BufferedImage first = read(classFolders(dir).values().iterator().next().get(0));
        return new int[] {isGrey(first) ? 1 : 3, first.getHeight(), first.getWidth()};
    }

    /** Class name to its image files, both in name order. */
    private static Map<String, List<Path>> classFolders(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist or is not a directory");
        }
        Map<String, List<Path>> classes = new TreeMap<>();
        for (Path entry : visibleEntries(dir)) {
            if (Files.isDirectory(entry)) {
                classes.put(entry.getFileName().toString(), imageFiles(entry));
            }
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("image folder " + dir + " holds no class folder; put each class's"
                    + " images in " + dir.resolve("<class name>"));
        }
        if (classes.size() == 1) {
            throw new IllegalArgumentException("image folder " + dir + " holds one class folder "
                    + classes.keySet() + "; a classifier needs at least 2 classes, add a folder per class");
        }
        return classes;
    }

    private static List<Path> imageFiles(Path classDir) {
        List<Path> files = visibleEntries(classDir);
        for (Path file : files) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!Files.isRegularFile(file) || EXTENSIONS.stream().noneMatch(name::endsWith)) {
                throw new IllegalArgumentException(file + " is not a PNG or JPEG file; a class folder holds only"
                        + " images named " + String.join(", ", EXTENSIONS) + " (any case), move it out");
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("class folder " + classDir + " holds no image; add "
                    + String.join(", ", EXTENSIONS) + " files or remove the folder");
        }
        return files;
    }

    private static List<Path> visibleEntries(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage read(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // decoders of corrupt files throw runtime exceptions as well as IIOException
            throw new IllegalArgumentException(file + " is not a readable image (" + e.getMessage()
                    + "); re-save it as PNG or JPEG or remove it", e);
        }
        if (image == null) {
            throw new IllegalArgumentException(file + " is not a readable PNG or JPEG image; re-save it or remove it");
        }
        return image;
    }

    /** 0xRRGGBB per pixel, row by row, at height x width. */
    private static int[] resizedRgb(BufferedImage image, int height, int width) {
        int[] rgb = rgb(image);
        if (image.getHeight() == height && image.getWidth() == width) {
            return rgb;
        }
        BufferedImage source = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        source.setRGB(0, 0, image.getWidth(), image.getHeight(), rgb, 0, image.getWidth());
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return scaled.getRGB(0, 0, width, height, null, 0, width);
    }

    /**
     * 0xRRGGBB per pixel, alpha dropped. Grey images are read from the raster: getRGB would convert
     * their linear grey to sRGB and turn 128 into 188.
     */
    private static int[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (!isGrey(image)) {
            return image.getRGB(0, 0, w, h, null, 0, w);
        }
        Raster raster = image.getRaster();
        float max = (1 << image.getColorModel().getComponentSize(0)) - 1;
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = Math.round(raster.getSample(x, y, 0) * 255 / max) * 0x010101;
            }
        }
        return rgb;
    }

    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /** Writes one sample at {@code at}, channel-major: all R, then all G, then all B (or one grey plane). */
    private static void writeSample(int[] rgb, int channels, float[] out, int at) {
        int plane = rgb.length;
        for (int p = 0; p < plane; p++) {
            int r = (rgb[p] >> 16) & 0xff;
            int g = (rgb[p] >> 8) & 0xff;
            int b = rgb[p] & 0xff;
            if (channels == 1) {
                out[at + p] = (float) ((0.299 * r + 0.587 * g + 0.114 * b) / 255);
            } else {
                out[at + p] = r / 255f;
                out[at + plane + p] = g / 255f;
                out[at + 2 * plane + p] = b / 255f;
            }
        }
    }
}
