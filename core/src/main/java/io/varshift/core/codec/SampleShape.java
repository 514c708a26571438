package io.varshift.core.codec;

import java.util.Arrays;

/** The model's input shape per sample, and the rule that a value is one sample or a batch of them. */
final class SampleShape {
    static final int MAX_RANK = 32;

    private final int[] dims;
    private final int size;

    SampleShape(int[] sampleShape) {
        if (sampleShape == null || sampleShape.length == 0 || sampleShape.length >= MAX_RANK) {
            throw new IllegalArgumentException("sample shape must have 1 to " + (MAX_RANK - 1)
                    + " dimensions, got " + (sampleShape == null ? "null" : Arrays.toString(sampleShape)));
        }
        long product = 1;
        for (int d : sampleShape) {
            if (d < 1) {
                throw new IllegalArgumentException("sample shape dimensions must be positive, got "
                        + Arrays.toString(sampleShape));
            }
            product *= d;
            if (product > Integer.MAX_VALUE / Float.BYTES) {
                throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " is too large");
            }
        }
        this.dims = sampleShape.clone();
        this.size = (int) product;
    }

    int[] dims() {
        return dims;
    }

    /** Floats per sample. */
    int size() {
        return size;
    }

    /**
     * Samples in a value of shape {@code value[0..rank)}: 1 when it is exactly the sample shape,
     * {@code value[0]} when it is {@code [N] + sample shape}, and -1 otherwise.
     */
    int samplesIn(int[] value, int rank) {
        if (rank == dims.length && Arrays.equals(value, 0, rank, dims, 0, rank)) {
            return 1;
        }
        if (rank == dims.length + 1 && Arrays.equals(value, 1, rank, dims, 0, dims.length)) {
            return value[0];
        }
        return -1;
    }

    /** Rejection for a value shape that is neither the sample shape nor a batch of it. */
    Rejection mismatch(int[] value, int rank) {
        return new Rejection(RejectReason.SHAPE_MISMATCH, "shape " + format(value, rank)
                + " is neither the model's sample shape " + format(dims, dims.length)
                + " nor a batch (N, " + format(dims, dims.length).substring(1));
    }

    /** Python tuple notation, as NPY headers write shapes: (), (3,), (1, 28, 28). */
    static String format(int[] shape, int rank) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < rank; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(rank == 1 ? ",)" : ")").toString();
    }
}
