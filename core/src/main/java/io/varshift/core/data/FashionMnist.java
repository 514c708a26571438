package io.varshift.core.data;

import io.varshift.core.spec.ModelSpec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from the gzip IDX files of Debian's {@code dataset-fashion-mnist} package.
 * Images are [1, 28, 28] with values in [0, 1] (byte/255); labels 0..9 ({@link #CLASSES}).
 *
 * <p>Held-out data: the 10 000 {@code t10k} images ({@link #test()}), never used in training.
 * A validation split, when wanted, is a deterministic tail of {@link #train()} via {@link ImageSet#slice}.
 */
public final class FashionMnist {

    /** Where Debian's package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Class names in label order. */
    public static final List<String> CLASSES = ModelSpec.FASHION_MNIST_CLASSES;

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    private static final int IMAGE_MAGIC = 0x00000803;
    private static final int LABEL_MAGIC = 0x00000801;
    private static final int SIDE = 28;
    private static final int MAX_IMAGES = 1_000_000;

    private final Path dir;

    private FashionMnist(Path dir) {
        this.dir = dir;
    }

    /** The data set in {@link #DEFAULT_DIR}. */
    public static FashionMnist installed() {
        return in(DEFAULT_DIR);
    }

    /**
     * The data set in {@code dir}; checks now that the four files exist.
     *
     * @throws IllegalStateException naming the missing file and the Debian package that provides it
     */
    public static FashionMnist in(Path dir) {
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("Fashion-MNIST file " + file + " is missing; install the Debian"
                        + " package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or point"
                        + " the data directory at a folder with the four IDX .gz files");
            }
        }
        return new FashionMnist(dir);
    }

    /** The 60 000 training images with labels. */
    public ImageSet train() {
        return read(TRAIN_IMAGES, TRAIN_LABELS);
    }

    /** The 10 000 held-out (t10k) images with labels. */
    public ImageSet test() {
        return read(TEST_IMAGES, TEST_LABELS);
    }

    private ImageSet read(String imagesFile, String labelsFile) {
        byte[] pixels = readIdx(dir.resolve(imagesFile), IMAGE_MAGIC, 3);
        byte[] labelBytes = readIdx(dir.resolve(labelsFile), LABEL_MAGIC, 1);
        int count = pixels.length / (SIDE * SIDE);
        if (labelBytes.length != count) {
            throw new IllegalStateException("Fashion-MNIST: " + imagesFile + " has " + count + " images but "
                    + labelsFile + " has " + labelBytes.length + " labels; reinstall dataset-fashion-mnist");
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = labelBytes[i] & 0xFF;
            if (labels[i] >= CLASSES.size()) {
                throw new IllegalStateException("Fashion-MNIST: " + labelsFile + " label " + labels[i] + " at index "
                        + i + " is outside 0.." + (CLASSES.size() - 1) + "; the file is corrupt");
            }
        }
        return ImageSet.ofUnsignedBytes(pixels, labels, 1, SIDE, SIDE);
    }

    /** Reads an IDX ubyte file (big-endian header: magic, dims) and returns its payload. */
    static byte[] readIdx(Path file, int expectedMagic, int dims) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw), 1 << 16))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IllegalStateException(String.format("Fashion-MNIST: %s has magic 0x%08x, expected 0x%08x;"
                        + " it is not an IDX file of this kind", file, magic, expectedMagic));
            }
            int count = in.readInt();
            long size = count;
            for (int d = 1; d < dims; d++) {
                int side = in.readInt();
                if (side != SIDE) {
                    throw new IllegalStateException("Fashion-MNIST: " + file + " has image side " + side
                            + ", expected " + SIDE);
                }
                size *= side;
            }
            if (count < 0 || count > MAX_IMAGES) {
                throw new IllegalStateException("Fashion-MNIST: " + file + " claims " + count + " items; the file is"
                        + " corrupt");
            }
            byte[] data = new byte[(int) size];
            in.readFully(data);
            if (in.read() != -1) {
                throw new IllegalStateException("Fashion-MNIST: " + file + " has bytes after its " + count
                        + " items; the file is corrupt");
            }
            return data;
        } catch (EOFException e) {
            throw new IllegalStateException("Fashion-MNIST: " + file + " is truncated; reinstall"
                    + " dataset-fashion-mnist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Fashion-MNIST: cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
