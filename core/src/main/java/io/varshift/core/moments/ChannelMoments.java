package io.varshift.core.moments;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Per-channel moment accumulator for the input of one BatchNorm layer: a count and the sums
 * Σ(x−k_c) and Σ(x−k_c)² over every batch and spatial position, where the shift k_c is normally
 * the layer's stored running mean. Shifting by a value close to the mean keeps the one-pass
 * variance numerically stable; sums are kept in double precision.
 *
 * <p>Accumulators merge exactly (Chan et al. parallel update), so windows can be split across
 * threads, partitions and agents. Not thread-safe: give each thread its own and merge.
 */
public final class ChannelMoments {

    /** Leading bytes of {@link #toBytes()}: ASCII "VSCM". */
    static final int MAGIC = 0x5653434D;
    static final byte VERSION = 1;
    private static final int HEADER_BYTES = 4 + 1 + 4 + 8;

    private final double[] shift;
    private final double[] s1;
    private final double[] s2;
    private long count;

    /**
     * @param shift per-channel shift k_c (the stored running mean); copied
     * @throws IllegalArgumentException if empty or not finite
     */
    public ChannelMoments(double[] shift) {
        if (shift == null || shift.length == 0) {
            throw new IllegalArgumentException("ChannelMoments shift: must have at least one channel, got "
                    + (shift == null ? "null" : "an empty array"));
        }
        for (int c = 0; c < shift.length; c++) {
            if (!Double.isFinite(shift[c])) {
                throw new IllegalArgumentException("ChannelMoments shift[" + c + "] = " + shift[c]
                        + ": shifts must be finite (use the layer's running mean)");
            }
        }
        this.shift = shift.clone();
        this.s1 = new double[shift.length];
        this.s2 = new double[shift.length];
    }

    private ChannelMoments(double[] shift, long count, double[] s1, double[] s2) {
        this.shift = shift;
        this.count = count;
        this.s1 = s1;
        this.s2 = s2;
    }

    /**
     * Adds per-sample shifted sums, as the BN probes produce them.
     *
     * @param s1 sample-major [samples][channels]: Σ(x−k_c) over one sample's spatial positions
     * @param s2 sample-major [samples][channels]: Σ(x−k_c)² over one sample's spatial positions
     * @param samples number of rows to add
     * @param positionsPerSample spatial positions per sample and channel (H·W; 1 for dense layers)
     */
    public void addSampleSums(float[] s1, float[] s2, int samples, long positionsPerSample) {
        int channels = shift.length;
        if (samples < 0) {
            throw new IllegalArgumentException("samples = " + samples + ": must be >= 0");
        }
        if (positionsPerSample < 1) {
            throw new IllegalArgumentException("positionsPerSample = " + positionsPerSample
                    + ": must be >= 1 (H*W for convolutions, 1 for dense layers)");
        }
        long needed = (long) samples * channels;
        requireLength("s1", s1, needed, samples);
        requireLength("s2", s2, needed, samples);
        double[] a1 = this.s1;
        double[] a2 = this.s2;
        int row = 0;
        for (int i = 0; i < samples; i++, row += channels) {
            for (int c = 0; c < channels; c++) {
                a1[c] += s1[row + c];
                a2[c] += s2[row + c];
            }
        }
        count += samples * positionsPerSample;
    }

    private void requireLength(String what, float[] array, long needed, int samples) {
        if (array == null || array.length < needed) {
            throw new IllegalArgumentException(what + ": length " + (array == null ? "null" : array.length)
                    + " is shorter than samples*channels = " + samples + "*" + shift.length + " = " + needed);
        }
    }

    /**
     * Adds raw values laid out N, C, then positions (NC or NCHW flattened), for tests and brute force.
     *
     * @param x values, at least n·channels·positionsPerSample long
     * @param n number of samples
     * @param channels must equal {@link #channels()}
     * @param positionsPerSample spatial positions per sample (H·W; 1 for NC)
     */
    public void addValues(float[] x, int n, int channels, int positionsPerSample) {
        if (channels != shift.length) {
            throw new IllegalArgumentException("channels = " + channels + " but this accumulator has "
                    + shift.length + " channels");
        }
        if (n < 0 || positionsPerSample < 1) {
            throw new IllegalArgumentException("n = " + n + ", positionsPerSample = " + positionsPerSample
                    + ": need n >= 0 and positionsPerSample >= 1");
        }
        long needed = (long) n * channels * positionsPerSample;
        if (x == null || x.length < needed) {
            throw new IllegalArgumentException("x: length " + (x == null ? "null" : x.length)
                    + " is shorter than n*channels*positions = " + needed);
        }
        int i = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int c = 0; c < channels; c++) {
                double k = shift[c];
                double a1 = 0;
                double a2 = 0;
                for (int j = 0; j < positionsPerSample; j++) {
                    double d = x[i++] - k;
                    a1 += d;
                    a2 += d * d;
                }
                s1[c] += a1;
                s2[c] += a2;
            }
        }
        count += (long) n * positionsPerSample;
    }

    /**
     * Adds another accumulator's values into this one. With equal shifts the sums add exactly;
     * otherwise the other's sums are re-shifted to this shift first: with δ = k_other − k_this,
     * Σ(x−k_this) = S1 + nδ and Σ(x−k_this)² = S2 + 2δ·S1 + nδ² (Chan et al.).
     */
    public void merge(ChannelMoments other) {
        if (other.shift.length != shift.length) {
            throw new IllegalArgumentException("cannot merge moments of " + other.shift.length
                    + " channels into moments of " + shift.length + " channels");
        }
        double n = other.count;
        for (int c = 0; c < shift.length; c++) {
            double delta = other.shift[c] - shift[c];
            double o1 = other.s1[c];
            s1[c] += o1 + n * delta;
            s2[c] += other.s2[c] + 2 * delta * o1 + n * delta * delta;
        }
        count += other.count;
    }

    /** An independent copy. */
    public ChannelMoments copy() {
        return new ChannelMoments(shift.clone(), count, s1.clone(), s2.clone());
    }

    /** Number of values accumulated per channel (samples × positions). */
    public long count() {
        return count;
    }

    public int channels() {
        return shift.length;
    }

    /** Mean of channel c; NaN when nothing was accumulated. */
    public double mean(int c) {
        return shift[c] + s1[c] / count;
    }

    /**
     * Population variance of channel c (divisor {@link #count()}, not count−1), computed as
     * (S2 − S1²/n)/n from the shifted sums; NaN when nothing was accumulated.
     */
    public double variance(int c) {
        double n = count;
        double v = (s2[c] - s1[c] * s1[c] / n) / n;
        // Rounding can leave a tiny negative value for a constant channel.
        return v < 0 ? 0 : v;
    }

    /** A copy of the per-channel shifts k_c. */
    public double[] shift() {
        return shift.clone();
    }

    /**
     * Compact, versioned, big-endian form: int magic "VSCM", byte version (1), int channels,
     * long count, then channels doubles each of shift, S1 and S2.
     */
    public byte[] toBytes() {
        int channels = shift.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 3 * 8 * channels).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).put(VERSION).putInt(channels).putLong(count);
        for (double v : shift) {
            b.putDouble(v);
        }
        for (double v : s1) {
            b.putDouble(v);
        }
        for (double v : s2) {
            b.putDouble(v);
        }
        return b.array();
    }

    /**
     * Parses {@link #toBytes()} output.
     *
     * @throws IllegalArgumentException on a wrong magic, an unknown version, a wrong length or
     *     non-finite values, naming what is wrong
     */
    public static ChannelMoments fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("channel moments: " + (bytes == null ? "null" : bytes.length + " bytes")
                    + " is shorter than the " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format(
                    "channel moments: bad magic 0x%08X, expected 0x%08X (\"VSCM\"); not a moments record", magic, MAGIC));
        }
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("channel moments: unknown format version " + version
                    + "; this build reads version " + VERSION + ", upgrade the reader");
        }
        int channels = b.getInt();
        long count = b.getLong();
        if (channels < 1 || count < 0) {
            throw new IllegalArgumentException("channel moments: channels = " + channels + ", count = " + count
                    + ": need channels >= 1 and count >= 0");
        }
        long expected = HEADER_BYTES + 24L * channels;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("channel moments: " + bytes.length + " bytes for " + channels
                    + " channels, expected " + expected + " (truncated or padded record)");
        }
        double[] shift = readFinite(b, channels, "shift");
        double[] s1 = readFinite(b, channels, "S1");
        double[] s2 = readFinite(b, channels, "S2");
        return new ChannelMoments(shift, count, s1, s2);
    }

    private static double[] readFinite(ByteBuffer b, int channels, String what) {
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = b.getDouble();
            if (!Double.isFinite(out[c])) {
                throw new IllegalArgumentException("channel moments: " + what + "[" + c + "] = " + out[c]
                        + " is not finite");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ChannelMoments[channels=" + shift.length + ", count=" + count + ", shift="
                + Arrays.toString(Arrays.copyOf(shift, Math.min(4, shift.length)))
                + (shift.length > 4 ? "..." : "") + "]";
    }
}
