package io.varshift.core.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A BatchNorm with a stable human-readable name (e.g. {@code block2.bn2}) and an eval-mode probe on
 * its input. Its only child is the DJL {@link BatchNorm}, and it has no parameters of its own, so a
 * params file has the same content whether or not a probe listens. The probe never runs in training.
 */
public final class ProbedBatchNorm extends ai.djl.nn.AbstractBlock {

    private static final byte VERSION = 1;
    /** The positions axis of the [N, C, positions] view the probe reduces over. */
    private static final int[] SPATIAL = {2};
    /** Largest accepted ratio Σx² / Σ(x − k)² per channel on the fast probe path. */
    static final double MAX_CANCELLATION = 100;

    private final String layerName;
    private final BatchNorm batchNorm;
    private volatile int probeIndex = -1;
    private volatile BnProbes.Listener listener;
    /** Bumped on every change of the running statistics that keeps the parameter's array. */
    private volatile int statsGeneration;
    private NDArray shiftCache;
    private float[] shiftHost;
    private long exactBatches;
    private NDArray shiftSource;
    private int shiftGeneration;
    private CellGrid cellGrid;
    private int[] cellSizes;
    private Shape gridShape;
    private NDArray averagingArray;

    public ProbedBatchNorm(String layerName, BatchNorm batchNorm) {
        super(VERSION);
        this.layerName = layerName;
        this.batchNorm = addChildBlock("batchNorm", batchNorm);
    }

    /** The stable layer name, as in reference.json and metric labels. */
    public String layerName() {
        return layerName;
    }

    /** The wrapped DJL BatchNorm. */
    public BatchNorm batchNorm() {
        return batchNorm;
    }

    void connect(int index, BnProbes.Listener sink) {
        this.probeIndex = index;
        this.listener = sink;
    }

    Parameter runningMeanParameter() {
        return batchNorm.getDirectParameters().get("runningMean");
    }

    Parameter runningVarParameter() {
        return batchNorm.getDirectParameters().get("runningVar");
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        BnProbes.Listener sink = listener;
        if (training) {
            // A training forward moves the running mean; the next probe must not use the old shift.
            runningStatsChanged();
        } else if (sink != null) {
            probe(parameterStore, inputs.singletonOrThrow(), sink);
        }
        return batchNorm.forward(parameterStore, inputs, training, params);
    }

    /**
     * Per-sample per-channel sums of (x − k_c) and (x − k_c)², k_c = current running mean.
     *
     * <p>Fast path: the engine reduces the raw input once for Σx and once for ‖x‖ (two read passes,
     * no temporary the size of x), and the shift is applied here in double:
     * Σ(x − k) = Σx − P·k and Σ(x − k)² = Σx² − 2k·Σx + P·k². That subtraction cancels digits when
     * the input sits far from k_c relative to its spread, so it is accepted only when, for every
     * channel, Σx² over the batch is at most {@link #MAX_CANCELLATION} times Σ(x − k)²: float32
     * reductions carry a relative error of about 1e-6 of Σx², so the shifted totals then keep about
     * 1e-4 relative precision. Otherwise (or on a non-finite sum) the layer is reduced again on the
     * exact path, which subtracts k_c on the engine first. Each extra pass over x is paid by every
     * layer of every batch, which is why the exact path is not the default.
     *
     * <p>A listener that wants cells also gets each sample's cell means ({@link CellGrid}). Equal cells
     * (the grid divides the map) come from one average pooling, unequal cells from one product with
     * the grid's averaging matrix, and Σx is then taken from them (weighted by the cell sizes)
     * instead of from its own reduction, so the probe still reads the input twice; a dense layer's
     * cells are its values.
     */
    private void probe(ParameterStore parameterStore, NDArray x, BnProbes.Listener sink) {
        Shape shape = x.getShape();
        int samples = Math.toIntExact(shape.get(0));
        int channels = Math.toIntExact(shape.get(1));
        long positions = shape.dimension() > 2 ? shape.slice(2).size() : 1;
        NDArray runningMean = parameterStore.getValue(runningMeanParameter(), x.getDevice(), false);
        NDArray k = shift(runningMean, channels);
        boolean wantsCells = sink.wantsCells();
        CellGrid grid = wantsCells ? grid(shape, runningMean) : null;
        int cells = samples * channels;
        float[] s1 = new float[cells];
        float[] s2 = new float[cells];
        float[] cellMeans = null;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray flat = x.reshape(samples, channels, positions);
            flat.attach(scope);
            if (flat.getDataType() != DataType.FLOAT32) {
                flat = flat.toType(DataType.FLOAT32, false);
            }
            float[] raw;
            if (wantsCells && positions > 1) {
                // The cell means of the batch (one average pooling for equal cells, one product with
                // the grid's averaging matrix otherwise) and, in the same copy to the host, each
                // (sample, channel)'s norm: Σx is the size-weighted sum of the cell means, so the
                // cells cost no extra pass over the input and the probe reads it twice.
                int perChannel = grid.cells();
                NDArray means = grid.evenlyDivides() ? pooledCellMeans(flat.reshape(shape), grid, scope)
                        : flat.reshape((long) cells, positions).matMul(averagingArray).reshape(samples, channels,
                                perChannel);
                float[] both = means.concat(flat.norm(SPATIAL).reshape(samples, channels, 1), 2).toFloatArray();
                cellMeans = new float[cells * perChannel];
                raw = new float[2 * cells];
                int[] sizes = cellSizes;
                for (int i = 0; i < cells; i++) {
                    int at = i * (perChannel + 1);
                    System.arraycopy(both, at, cellMeans, i * perChannel, perChannel);
                    double sum = 0;
                    for (int c = 0; c < perChannel; c++) {
                        sum += (double) both[at + c] * sizes[c];
                    }
                    raw[i] = (float) sum;
                    raw[cells + i] = both[at + perChannel];
                }
            } else {
                raw = flat.sum(SPATIAL).stack(flat.norm(SPATIAL)).toFloatArray();
            }
            if (!shiftOnHost(raw, shiftHost, samples, channels, positions, s1, s2)) {
                exactBatches++;
                NDArray centred = flat.sub(k);
                NDArray c1 = centred.sum(SPATIAL);
                NDArray c2 = centred.muli(centred).sum(SPATIAL);
                float[] sums = c1.stack(c2).toFloatArray();
                System.arraycopy(sums, 0, s1, 0, cells);
                System.arraycopy(sums, cells, s2, 0, cells);
            }
            if (wantsCells && cellMeans == null) {
                // A dense layer is one cell per channel: its mean is the value, Σx over one position.
                cellMeans = java.util.Arrays.copyOf(raw, cells);
            }
        }
        sink.onBatch(probeIndex, s1, s2, samples, positions);
        if (wantsCells) {
            sink.onCells(probeIndex, cellMeans, samples, channels, grid.cells());
        }
    }

    /** Cell means of equal cells: average pooling with the cell as kernel and stride, [N, C, cells]. */
    private static NDArray pooledCellMeans(NDArray x, CellGrid grid, NDManager scope) {
        Shape cell = new Shape(grid.cellHeight(), grid.cellWidth());
        NDArray pooled = Pool.avgPool2d(x, cell, cell, new Shape(0, 0), false, true);
        pooled.attach(scope);
        Shape s = x.getShape();
        return pooled.reshape(s.get(0), s.get(1), grid.cells());
    }

    /**
     * The layer's cell grid while the spatial shape stays, and, for unequal cells only, its averaging
     * matrix on the input's device, kept with the running mean's manager: one array per layer, not
     * one per batch (a per-batch array's native buffer is freed only when the collector gets to it,
     * and the agent's memory grew with every batch when it was made per batch).
     */
    private CellGrid grid(Shape shape, NDArray runningMean) {
        Shape spatial = shape.slice(2);
        if (cellGrid == null || !spatial.equals(gridShape)) {
            releaseAveraging();
            cellGrid = CellGrid.of(spatial.getShape());
            cellSizes = cellGrid.cellSizes();
            gridShape = spatial;
        }
        // Only unequal cells of a spatial map are reduced by the matrix.
        boolean needsMatrix = !cellGrid.evenlyDivides() && cellGrid.positions() > 1;
        boolean usable = averagingArray != null && !averagingArray.isReleased()
                && averagingArray.getDevice().equals(runningMean.getDevice());
        if (needsMatrix && !usable) {
            releaseAveraging();
            averagingArray = runningMean.getManager().create(cellGrid.averagingMatrix(),
                    new Shape(cellGrid.positions(), cellGrid.cells()));
        }
        return cellGrid;
    }

    private void releaseAveraging() {
        if (averagingArray != null && !averagingArray.isReleased()) {
            averagingArray.close();
        }
        averagingArray = null;
    }

    /**
     * Shifts raw per-cell sums [Σx ..., ‖x‖ ...] by k_c into s1 and s2; false when some channel's
     * batch total would lose too many digits (see {@link #probe}) or a sum is not finite.
     */
    static boolean shiftOnHost(float[] raw, float[] k, int samples, int channels, long positions, float[] s1,
                               float[] s2) {
        int cells = samples * channels;
        double[] rawSquares = new double[channels];
        double[] shiftedSquares = new double[channels];
        for (int n = 0; n < samples; n++) {
            for (int c = 0; c < channels; c++) {
                int i = n * channels + c;
                double sum = raw[i];
                double norm = raw[cells + i];
                double sumSq = norm * norm;
                if (!Double.isFinite(sum) || !Double.isFinite(sumSq)) {
                    return false;
                }
                double kc = k[c];
                double shiftedSq = Math.max(0, sumSq - 2 * kc * sum + positions * kc * kc);
                s1[i] = (float) (sum - positions * kc);
                s2[i] = (float) shiftedSq;
                rawSquares[c] += sumSq;
                shiftedSquares[c] += shiftedSq;
            }
        }
        for (int c = 0; c < channels; c++) {
            if (rawSquares[c] > MAX_CANCELLATION * shiftedSquares[c]) {
                return false;
            }
        }
        return true;
    }

    /** Batches this layer reduced on the exact path since it was built. */
    long exactBatches() {
        return exactBatches;
    }

    /**
     * The running mean as a float32 [1, C, 1] array (and a host copy), kept between batches. It is
     * rebuilt when the parameter holds another array (params loaded), after
     * {@link #runningStatsChanged()} and after any training forward, which updates the running mean
     * in place.
     */
    private NDArray shift(NDArray runningMean, int channels) {
        NDArray k = shiftCache;
        if (k != null && shiftSource == runningMean && shiftGeneration == statsGeneration) {
            return k;
        }
        int generation = statsGeneration;
        dropShiftCache();
        k = runningMean.reshape(1, channels, 1);
        if (k.getDataType() != DataType.FLOAT32) {
            NDArray converted = k.toType(DataType.FLOAT32, false);
            k.close();
            k = converted;
        }
        shiftCache = k;
        shiftHost = k.toFloatArray();
        shiftSource = runningMean;
        shiftGeneration = generation;
        return k;
    }

    /** Called when the running statistics were overwritten in place (BN re-estimation). */
    void runningStatsChanged() {
        statsGeneration++;
    }

    private void dropShiftCache() {
        NDArray old = shiftCache;
        shiftCache = null;
        shiftSource = null;
        if (old != null) {
            old.close();
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return batchNorm.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        batchNorm.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "ProbedBatchNorm(" + layerName + ")";
    }
}
