package io.varshift.core.data;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An in-memory set of same-shaped samples with optional integer labels. Pixels are held either as
 * unsigned bytes scaled by 1/255 on read (Fashion-MNIST: 4x less memory) or as floats (NPY data).
 * Slices are views, not copies.
 */
public final class ImageSet {

    private final byte[] bytes;
    private final float[] floats;
    private final int[] labels;
    private final long[] sampleShape;
    private final int sampleSize;
    private final int offset;
    private final int size;

    private ImageSet(byte[] bytes, float[] floats, int[] labels, long[] sampleShape, int offset, int size) {
        this.bytes = bytes;
        this.floats = floats;
        this.labels = labels;
        this.sampleShape = sampleShape;
        this.sampleSize = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        this.offset = offset;
        this.size = size;
    }

    /** Unsigned-byte pixels, read as value/255 in [0, 1]; labels may be null. */
    static ImageSet ofUnsignedBytes(byte[] pixels, int[] labels, long... sampleShape) {
        int sample = checkShape(pixels.length, labels, sampleShape);
        return new ImageSet(pixels, null, labels, sampleShape.clone(), 0, pixels.length / sample);
    }

    /**
     * Float samples, sample-major; labels may be null (unlabelled traffic).
     *
     * @throws IllegalArgumentException when the lengths do not fit the sample shape
     */
    public static ImageSet ofFloats(float[] samples, int[] labels, long... sampleShape) {
        Objects.requireNonNull(samples, "samples");
        int sample = checkShape(samples.length, labels, sampleShape);
        return new ImageSet(null, samples, labels, sampleShape.clone(), 0, samples.length / sample);
    }

    private static int checkShape(int values, int[] labels, long[] sampleShape) {
        if (sampleShape.length == 0) {
            throw new IllegalArgumentException("sample shape is empty; give e.g. [1, 28, 28]");
        }
        long sample = 1;
        for (long d : sampleShape) {
            if (d < 1) {
                throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape)
                        + " has a dimension < 1");
            }
            sample = Math.multiplyExact(sample, d);
        }
        if (values % sample != 0) {
            throw new IllegalArgumentException(values + " values are not a whole number of samples of shape "
                    + Arrays.toString(sampleShape));
        }
        if (labels != null && labels.length != values / sample) {
            throw new IllegalArgumentException(labels.length + " labels for " + values / sample + " samples");
        }
        return Math.toIntExact(sample);
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** Shape of one sample, e.g. [1, 28, 28]. */
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** Values per sample. */
    public int sampleSize() {
        return sampleSize;
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** Label of sample i. */
    public int label(int i) {
        if (labels == null) {
            throw new IllegalStateException("this image set has no labels");
        }
        return labels[offset + Objects.checkIndex(i, size)];
    }

    /** Value j of sample i (scaled to [0, 1] for byte sets). */
    public float value(int i, int j) {
        int at = (offset + Objects.checkIndex(i, size)) * sampleSize + Objects.checkIndex(j, sampleSize);
        return bytes != null ? (bytes[at] & 0xFF) / 255f : floats[at];
    }

    /** Writes sample i's values into {@code dst} at its position (relative put). */
    public void copySample(int i, FloatBuffer dst) {
        int start = (offset + Objects.checkIndex(i, size)) * sampleSize;
        if (floats != null) {
            dst.put(floats, start, sampleSize);
            return;
        }
        for (int j = 0; j < sampleSize; j++) {
            dst.put((bytes[start + j] & 0xFF) / 255f);
        }
    }

    /**
     * A copy holding {@code first}'s samples, then {@code second}'s (bytes stay bytes unless either
     * set holds floats).
     *
     * @throws IllegalArgumentException when the sample shapes differ or only one set is labelled
     */
    public static ImageSet concat(ImageSet first, ImageSet second) {
        if (!Arrays.equals(first.sampleShape, second.sampleShape)) {
            throw new IllegalArgumentException("cannot join sample shapes " + Arrays.toString(first.sampleShape)
                    + " and " + Arrays.toString(second.sampleShape));
        }
        if (first.hasLabels() != second.hasLabels()) {
            throw new IllegalArgumentException("cannot join a labelled set with an unlabelled one");
        }
        int n = first.size + second.size;
        int[] labels = null;
        if (first.hasLabels()) {
            labels = new int[n];
            System.arraycopy(first.labels, first.offset, labels, 0, first.size);
            System.arraycopy(second.labels, second.offset, labels, first.size, second.size);
        }
        int sample = first.sampleSize;
        if (first.bytes != null && second.bytes != null) {
            byte[] pixels = new byte[n * sample];
            System.arraycopy(first.bytes, first.offset * sample, pixels, 0, first.size * sample);
            System.arraycopy(second.bytes, second.offset * sample, pixels, first.size * sample, second.size * sample);
            return new ImageSet(pixels, null, labels, first.sampleShape.clone(), 0, n);
        }
        FloatBuffer values = FloatBuffer.allocate(n * sample);
        for (ImageSet part : new ImageSet[] {first, second}) {
            for (int i = 0; i < part.size; i++) {
                part.copySample(i, values);
            }
        }
        return new ImageSet(null, values.array(), labels, first.sampleShape.clone(), 0, n);
    }

    /**
     * A copy holding the given samples in that order (bytes stay bytes): how a user's data set is
     * dealt into a training and a held-out part by a seeded permutation.
     *
     * @throws IndexOutOfBoundsException when an index is outside [0, size)
     */
    public ImageSet select(int[] samples) {
        int[] picked = labels == null ? null : new int[samples.length];
        byte[] pixels = bytes == null ? null : new byte[samples.length * sampleSize];
        float[] values = floats == null ? null : new float[samples.length * sampleSize];
        for (int i = 0; i < samples.length; i++) {
            int from = offset + Objects.checkIndex(samples[i], size);
            if (picked != null) {
                picked[i] = labels[from];
            }
            if (pixels != null) {
                System.arraycopy(bytes, from * sampleSize, pixels, i * sampleSize, sampleSize);
            } else {
                System.arraycopy(floats, from * sampleSize, values, i * sampleSize, sampleSize);
            }
        }
        return new ImageSet(pixels, values, picked, sampleShape.clone(), 0, samples.length);
    }

    /** A view of samples [from, to). */
    public ImageSet slice(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        return new ImageSet(bytes, floats, labels, sampleShape, offset + from, to - from);
    }

    @Override
    public String toString() {
        return "ImageSet(" + size + " x " + Arrays.toString(sampleShape) + (labels != null ? ", labelled" : "") + ")";
    }
}
