package io.varshift.core.data;

import io.varshift.core.codec.NpyFileHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A user's labelled images as numpy saves them: {@code images.npy} [N, C, H, W] or [N, H, W]
 * ({@code <f4} taken as is, {@code |u1} scaled by 1/255), {@code labels.npy} [N] ({@code <i8},
 * {@code <i4} or {@code |u1}) and an optional {@code classes.txt} with one class name per line.
 * Without classes.txt the classes are named "0".."K-1", K being the largest label + 1.
 */
public final class LabelledNpyDataset {

    public static final String IMAGES_FILE = "images.npy";
    public static final String LABELS_FILE = "labels.npy";
    public static final String CLASSES_FILE = "classes.txt";
    /** Largest .npy file read: a whole training set in one array, still within one byte[]. */
    public static final int MAX_FILE_BYTES = 1 << 30;
    /** Highest number of classes; a larger label is taken for a corrupt labels file, not a class. */
    public static final int MAX_CLASSES = 1 << 16;

    private LabelledNpyDataset() {
    }

    /**
     * Reads the images, labels and class names in {@code dir}.
     *
     * @param maxSamples refuse more images than this (a memory cap)
     * @throws IllegalArgumentException naming the file, the value and the fix when a file is missing or invalid
     */
    public static LabelledData load(Path dir, int maxSamples) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, got " + maxSamples);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("labelled NPY directory " + dir + " does not exist or is not a directory");
        }
        Path imagesFile = dir.resolve(IMAGES_FILE);
        byte[] images = read(imagesFile);
        NpyFileHeader imagesHeader = header(imagesFile, images);
        int[] shape = imageShape(imagesFile, imagesHeader);
        if (shape[0] > maxSamples) {
            throw new IllegalArgumentException(imagesFile + " holds " + shape[0] + " images, more than the limit of "
                    + maxSamples + "; raise the limit or save fewer images");
        }
        float[] pixels = pixels(imagesFile, images, imagesHeader, shape);
        int[] labels = labels(dir.resolve(LABELS_FILE), imagesFile, shape[0]);
        List<String> classes = classNames(dir.resolve(CLASSES_FILE), labels);
        String source = "labelled NPY directory " + dir + " (" + classes.size() + " classes, " + shape[0] + " images)";
        return new LabelledData(ImageSet.ofFloats(pixels, labels, shape[1], shape[2], shape[3]), classes, source);
    }

    /** {N, C, H, W}, with C = 1 for an [N, H, W] file. */
    private static int[] imageShape(Path file, NpyFileHeader header) {
        int[] dims = header.shape();
        if (dims.length != 3 && dims.length != 4) {
            throw new IllegalArgumentException(file + " has shape " + header.formattedShape()
                    + "; save the images as (N, C, H, W), or (N, H, W) for one channel");
        }
        int[] shape = dims.length == 4 ? dims : new int[] {dims[0], 1, dims[1], dims[2]};
        // Channels last ([N, H, W, 1 or 3], as images often load) would be read as [N, C=H, H=W, W=C].
        if (dims.length == 4 && (dims[3] == 1 || dims[3] == 3) && dims[1] != 1 && dims[1] != 3) {
            throw new IllegalArgumentException(file + " has shape " + header.formattedShape() + ", which looks like"
                    + " channels last [N, H, W, C]; save it channels first [N, C, H, W]:"
                    + " numpy.transpose(images, (0, 3, 1, 2))");
        }
        if (shape[0] == 0) {
            throw new IllegalArgumentException(file + " holds no image (shape " + header.formattedShape()
                    + "); save at least one image");
        }
        if (shape[1] == 0 || shape[2] == 0 || shape[3] == 0) {
            throw new IllegalArgumentException(file + " has shape " + header.formattedShape()
                    + "; every image dimension must be at least 1");
        }
        return shape;
    }

    private static float[] pixels(Path file, byte[] bytes, NpyFileHeader header, int[] shape) {
        int from = header.dataOffset();
        switch (header.descr()) {
            case "<f4" -> {
                float[] pixels = new float[checkDataLength(file, bytes, header, Float.BYTES)];
                ByteBuffer.wrap(bytes, from, pixels.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer().get(pixels);
                for (int i = 0; i < pixels.length; i++) {
                    if (!Float.isFinite(pixels[i])) {
                        throw new IllegalArgumentException(file + " holds " + pixels[i] + " at flat index " + i
                                + " (image " + i / (pixels.length / shape[0]) + "); NaN and infinity are not valid"
                                + " pixels, clean the data (numpy.nan_to_num) and save it again");
                    }
                    // The agent reads traffic in [0, 1] (uint8 divided by 255): a model trained on 0..255 or on
                    // pre-normalised floats would see every window of live traffic as shifted.
                    if (pixels[i] < 0 || pixels[i] > 1) {
                        throw new IllegalArgumentException(file + " holds " + pixels[i] + " at flat index " + i
                                + " (image " + i / (pixels.length / shape[0]) + "); float32 pixels must lie in [0, 1],"
                                + " the range the agent reads traffic in: divide 0..255 pixels by 255 (or save uint8),"
                                + " and give a normalisation as --input-mean/--input-std instead of applying it");
                    }
                }
                return pixels;
            }
            case "|u1" -> {
                float[] pixels = new float[checkDataLength(file, bytes, header, 1)];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (bytes[from + i] & 0xff) / 255f;
                }
                return pixels;
            }
            default -> throw new IllegalArgumentException(file + " has dtype '" + header.descr()
                    + "'; save the images as float32 '<f4' (values in [0, 1]) or uint8 '|u1' (scaled by 1/255)");
        }
    }

    private static int[] labels(Path file, Path imagesFile, int images) {
        byte[] bytes = read(file);
        NpyFileHeader header = header(file, bytes);
        int[] dims = header.shape();
        if (dims.length != 1) {
            throw new IllegalArgumentException(file + " has shape " + header.formattedShape()
                    + "; save the labels as (N,), one class index per image (numpy.ravel)");
        }
        if (dims[0] != images) {
            throw new IllegalArgumentException(file + " holds " + dims[0] + " labels but " + imagesFile + " holds "
                    + images + " images; give one label per image, in the same order");
        }
        int itemSize = switch (header.descr()) {
            case "<i8" -> Long.BYTES;
            case "<i4" -> Integer.BYTES;
            case "|u1" -> 1;
            default -> throw new IllegalArgumentException(file + " has dtype '" + header.descr()
                    + "'; save the labels as int64 '<i8', int32 '<i4' or uint8 '|u1'");
        };
        checkDataLength(file, bytes, header, itemSize);
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] labels = new int[images];
        for (int i = 0; i < images; i++) {
            int at = header.dataOffset() + i * itemSize;
            long label = switch (itemSize) {
                case Long.BYTES -> data.getLong(at);
                case Integer.BYTES -> data.getInt(at);
                default -> bytes[at] & 0xff;
            };
            if (label < 0 || label >= MAX_CLASSES) {
                throw new IllegalArgumentException(file + " has label " + label + " at index " + i
                        + "; labels are class indices in [0, " + MAX_CLASSES + ")");
            }
            labels[i] = (int) label;
        }
        return labels;
    }

    /** The names in classes.txt, or "0".."K-1" without it; every label must have a name. */
    private static List<String> classNames(Path file, int[] labels) {
        if (!Files.exists(file)) {
            return IntStream.rangeClosed(0, Arrays.stream(labels).max().orElseThrow()).mapToObj(Integer::toString)
                    .toList();
        }
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no class name; write one name per line in label order,"
                    + " or delete it to name the classes 0..K-1");
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                throw new IllegalArgumentException(file + " line " + (names.size() + 1)
                        + " is blank; write one class name per line in label order");
            }
            names.add(line.strip());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= names.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " has no name: " + file
                        + " names " + names.size() + " classes (labels 0.." + (names.size() - 1)
                        + "); add the missing names or fix the labels");
            }
        }
        return names;
    }

    private static NpyFileHeader header(Path file, byte[] bytes) {
        NpyFileHeader header;
        try {
            header = NpyFileHeader.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not a valid NPY file (" + e.getMessage()
                    + "); write it with numpy.save", e);
        }
        if (header.fortranOrder()) {
            throw new IllegalArgumentException(file + " is in Fortran order; save it in C order"
                    + " (numpy.save(path, numpy.ascontiguousarray(a)))");
        }
        return header;
    }

    /** Number of values, once the data after the header is exactly what the shape and dtype declare. */
    private static int checkDataLength(Path file, byte[] bytes, NpyFileHeader header, int itemSize) {
        long have = bytes.length - header.dataOffset();
        long need = itemSize;
        try {
            for (int d : header.shape()) {
                need = Math.multiplyExact(need, d);
            }
        } catch (ArithmeticException e) {
            need = Long.MAX_VALUE;
        }
        if (need != have) {
            throw new IllegalArgumentException(file + " has " + have + " data bytes but shape "
                    + header.formattedShape() + " of dtype '" + header.descr() + "' needs " + need
                    + "; the file is truncated or its header is wrong, save it again");
        }
        return (int) (need / itemSize);
    }

    private static byte[] read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is missing; a labelled NPY directory holds " + IMAGES_FILE
                    + " [N, C, H, W], " + LABELS_FILE + " [N] and optionally " + CLASSES_FILE);
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(file + " has " + size + " bytes, more than the limit of "
                        + MAX_FILE_BYTES + "; save fewer images (or a uint8 copy)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
