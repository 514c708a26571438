package io.varshift.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Turns samples of an {@link ImageSet} into NDArray batches through ONE reusable direct native-order
 * buffer (the engine copies it on create), so feeding many batches allocates no Java buffers.
 * One feeder per thread.
 */
public final class BatchFeeder {

    private final int maxBatch;
    private final int sampleSize;
    private final long[] sampleShape;
    private final FloatBuffer buffer;

    /** @param maxBatch largest batch this feeder serves */
    public BatchFeeder(int maxBatch, long... sampleShape) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + " must be >= 1");
        }
        this.maxBatch = maxBatch;
        this.sampleShape = sampleShape.clone();
        long size = 1;
        for (long d : sampleShape) {
            size = Math.multiplyExact(size, d);
        }
        this.sampleSize = Math.toIntExact(size);
        this.buffer = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(maxBatch, sampleSize), 4))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Images [from, to) as a float32 array [n, sampleShape...] in {@code manager}. */
    public NDArray images(NDManager manager, ImageSet set, int from, int to) {
        check(set, to - from);
        buffer.clear();
        for (int i = from; i < to; i++) {
            set.copySample(i, buffer);
        }
        return create(manager, to - from);
    }

    /** Images at {@code indices} (e.g. a shuffled epoch order) as a float32 array. */
    public NDArray images(NDManager manager, ImageSet set, int[] indices, int from, int to) {
        check(set, to - from);
        buffer.clear();
        for (int i = from; i < to; i++) {
            set.copySample(indices[i], buffer);
        }
        return create(manager, to - from);
    }

    /** Labels [from, to) as float32 [n] (the form DJL's softmax cross-entropy takes). */
    public NDArray labels(NDManager manager, ImageSet set, int from, int to) {
        float[] out = new float[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = set.label(i);
        }
        return manager.create(out);
    }

    /** Labels at {@code indices[from..to)} as float32 [n]. */
    public NDArray labels(NDManager manager, ImageSet set, int[] indices, int from, int to) {
        float[] out = new float[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = set.label(indices[i]);
        }
        return manager.create(out);
    }

    private void check(ImageSet set, int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " samples; this feeder serves 1.." + maxBatch);
        }
        if (!Arrays.equals(set.sampleShape(), sampleShape)) {
            throw new IllegalArgumentException("image set " + set + " does not match the feeder's sample shape "
                    + Arrays.toString(sampleShape));
        }
    }

    private NDArray create(NDManager manager, int n) {
        buffer.flip();
        long[] dims = new long[sampleShape.length + 1];
        dims[0] = n;
        System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
        return manager.create(buffer, new Shape(dims), DataType.FLOAT32);
    }
}
