package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;
import java.util.Arrays;

/**
 * Per-sample shifted sums of one layer on clean held-out data, kept row by row so that windows
 * can be resampled (bootstrapped) without new forward passes.
 */
public final class SampleContributions {

    private final double[] shift;
    private final long positionsPerSample;
    private float[] s1 = new float[0];
    private float[] s2 = new float[0];
    private int samples;
    private float[] cells = new float[0];
    private int cellsPerChannel;
    private int cellSamples;

    /**
     * @param shift per-channel shift k_c the sums are taken against (the layer's running mean)
     * @param positionsPerSample spatial positions per sample (H·W; 1 for dense layers)
     */
    public SampleContributions(double[] shift, long positionsPerSample) {
        // Validates the shift the same way as the live accumulator does.
        this.shift = new ChannelMoments(shift).shift();
        if (positionsPerSample < 1) {
            throw new IllegalArgumentException("positionsPerSample = " + positionsPerSample
                    + ": must be >= 1 (H*W for convolutions, 1 for dense layers)");
        }
        this.positionsPerSample = positionsPerSample;
    }

    /**
     * Appends rows of per-sample sums.
     *
     * @param s1 sample-major [samples][channels] Σ(x−k_c) per sample
     * @param s2 sample-major [samples][channels] Σ(x−k_c)² per sample
     * @param samples rows to append
     */
    public void add(float[] s1, float[] s2, int samples) {
        int channels = shift.length;
        long needed = (long) samples * channels;
        if (samples < 0 || s1 == null || s2 == null || s1.length < needed || s2.length < needed) {
            throw new IllegalArgumentException("sample contributions: need samples >= 0 and s1, s2 of at least "
                    + "samples*channels = " + needed + " values; got samples = " + samples + ", s1 length "
                    + (s1 == null ? "null" : s1.length) + ", s2 length " + (s2 == null ? "null" : s2.length));
        }
        long total = (long) (this.samples + samples) * channels;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sample contributions: " + (this.samples + samples)
                    + " samples of " + channels + " channels exceed one array; calibrate on fewer held-out samples");
        }
        int used = this.samples * channels;
        if (total > this.s1.length) {
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(total, 2L * this.s1.length));
            this.s1 = Arrays.copyOf(this.s1, capacity);
            this.s2 = Arrays.copyOf(this.s2, capacity);
        }
        System.arraycopy(s1, 0, this.s1, used, (int) needed);
        System.arraycopy(s2, 0, this.s2, used, (int) needed);
        this.samples += samples;
    }

    /**
     * Appends rows of per-sample cell means (see {@code BnProbes.Listener#onCells}), in step with
     * {@link #add}: after both, every row has its sums and its cells.
     *
     * @param cellMeans sample-major [samples][channels][cellsPerChannel]
     */
    public void addCells(float[] cellMeans, int samples, int cellsPerChannel) {
        int channels = shift.length;
        if (cellsPerChannel < 1 || (this.cellsPerChannel != 0 && cellsPerChannel != this.cellsPerChannel)) {
            throw new IllegalArgumentException("sample contributions: " + cellsPerChannel + " cells per channel; the"
                    + " rows so far have " + this.cellsPerChannel);
        }
        long width = (long) channels * cellsPerChannel;
        long needed = samples * width;
        if (samples < 0 || cellMeans == null || cellMeans.length < needed) {
            throw new IllegalArgumentException("sample contributions: need " + needed + " cell means for " + samples
                    + " samples of " + channels + " channels x " + cellsPerChannel + " cells; got "
                    + (cellMeans == null ? "null" : cellMeans.length));
        }
        long total = (cellSamples + (long) samples) * width;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sample contributions: " + (cellSamples + samples) + " samples of "
                    + width + " cell means exceed one array; calibrate on fewer held-out samples");
        }
        this.cellsPerChannel = cellsPerChannel;
        if (total > cells.length) {
            cells = Arrays.copyOf(cells, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(total, 2L * cells.length)));
        }
        System.arraycopy(cellMeans, 0, cells, (int) (cellSamples * width), (int) needed);
        cellSamples += samples;
    }

    /** Whether every row has its cell means. */
    public boolean hasCells() {
        return cellsPerChannel > 0 && cellSamples == samples;
    }

    /** Cells per channel of the kept cell means (0 when none were added). */
    public int cellsPerChannel() {
        return cellsPerChannel;
    }

    /** Cell means per row: channels x cells per channel. */
    public int cellFeatures() {
        return shift.length * cellsPerChannel;
    }

    /** A copy of every row's cell means, sample-major [samples][channels][cells]. */
    public float[] cellMeans() {
        return Arrays.copyOf(cellRows(), samples * cellFeatures());
    }

    /** The array holding row r's cell means at [r·cellFeatures(), (r+1)·cellFeatures()); not a copy. */
    float[] cellRows() {
        if (!hasCells()) {
            throw new IllegalStateException("sample contributions: " + cellSamples + " of " + samples
                    + " rows have cell means; probe with a listener that wants cells");
        }
        return cells;
    }

    public int samples() {
        return samples;
    }

    public int channels() {
        return shift.length;
    }

    public long positionsPerSample() {
        return positionsPerSample;
    }

    /** The per-channel shift k_c the sums are taken against. */
    public double[] shift() {
        return shift.clone();
    }

    /** Copies row {@code row}'s sums into r1, r2 (each at least {@link #channels()} long). */
    void row(int row, float[] r1, float[] r2) {
        int channels = shift.length;
        System.arraycopy(s1, row * channels, r1, 0, channels);
        System.arraycopy(s2, row * channels, r2, 0, channels);
    }

    /**
     * Sums the first {@code n} of {@code rows} (with repetition) into {@code into}, gathering them
     * into the scratch arrays (each at least n·channels long) first so that the accumulator sees one batch.
     */
    void sumRows(int[] rows, int n, ChannelMoments into, float[] scratch1, float[] scratch2) {
        int channels = shift.length;
        for (int i = 0, at = 0; i < n; i++, at += channels) {
            int from = rows[i] * channels;
            System.arraycopy(s1, from, scratch1, at, channels);
            System.arraycopy(s2, from, scratch2, at, channels);
        }
        into.addSampleSums(scratch1, scratch2, n, positionsPerSample);
    }

    /**
     * The moments of a window composed from these rows: rows[0..n) (with repetition) summed into a
     * fresh accumulator with this layer's shift, as an offline evaluation replays measured traffic.
     *
     * @param scratch1 reused gather buffer of at least n·channels values (spares an allocation per window)
     * @param scratch2 the same for the sums of squares
     * @throws IllegalArgumentException when a row is out of range or a buffer is too short
     */
    public ChannelMoments sum(int[] rows, int n, float[] scratch1, float[] scratch2) {
        long needed = (long) n * shift.length;
        if (n < 0 || n > rows.length || scratch1.length < needed || scratch2.length < needed) {
            throw new IllegalArgumentException("sample contributions: window of " + n + " of " + rows.length
                    + " rows needs scratch buffers of " + needed + " values; got " + scratch1.length + " and "
                    + scratch2.length);
        }
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0 || rows[i] >= samples) {
                throw new IllegalArgumentException("sample contributions: row " + rows[i] + " is outside [0, "
                        + samples + ")");
            }
        }
        ChannelMoments m = new ChannelMoments(shift);
        sumRows(rows, n, m, scratch1, scratch2);
        return m;
    }

    /**
     * The given rows (in that order, repetition allowed) as a new set of contributions with this
     * layer's shift, cells included when every row has them: how an evaluation splits one measured
     * pass into a calibration part and an unseen part without a second forward.
     *
     * @throws IllegalArgumentException when a row is outside [0, samples)
     */
    public SampleContributions select(int[] rows) {
        int channels = shift.length;
        float[] r1 = new float[rows.length * channels];
        float[] r2 = new float[rows.length * channels];
        boolean withCells = hasCells();
        int width = withCells ? cellFeatures() : 0;
        float[] c = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            int row = rows[i];
            if (row < 0 || row >= samples) {
                throw new IllegalArgumentException("sample contributions: row " + row + " is outside [0, " + samples
                        + ")");
            }
            System.arraycopy(s1, row * channels, r1, i * channels, channels);
            System.arraycopy(s2, row * channels, r2, i * channels, channels);
            if (withCells) {
                System.arraycopy(cells, row * width, c, i * width, width);
            }
        }
        SampleContributions out = new SampleContributions(shift, positionsPerSample);
        out.add(r1, r2, rows.length);
        if (withCells) {
            out.addCells(c, rows.length, cellsPerChannel);
        }
        return out;
    }

    /** All contributions summed: the clean baseline's moments. */
    public ChannelMoments total() {
        ChannelMoments m = new ChannelMoments(shift);
        m.addSampleSums(s1, s2, samples, positionsPerSample);
        return m;
    }

    /** Sums the given rows (with repetition) into a fresh accumulator; row1/row2 are one-row scratch buffers. */
    ChannelMoments window(int[] rows, float[] row1, float[] row2) {
        int channels = shift.length;
        ChannelMoments m = new ChannelMoments(shift);
        for (int row : rows) {
            System.arraycopy(s1, row * channels, row1, 0, channels);
            System.arraycopy(s2, row * channels, row2, 0, channels);
            m.addSampleSums(row1, row2, 1, positionsPerSample);
        }
        return m;
    }
}
