package io.varshift.core.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * Outcome of decoding one record: either ok with a number of samples (the floats are in the
 * caller's {@link DecodeTarget}), or rejected with a {@link RejectReason} and a message.
 */
public final class DecodeResult {
    private static final int[] NO_SHAPE = new int[0];

    private final RejectReason reason;
    private final String message;
    private final int samples;
    private final int[] sampleShape;

    private DecodeResult(RejectReason reason, String message, int samples, int[] sampleShape) {
        this.reason = reason;
        this.message = message;
        this.samples = samples;
        this.sampleShape = sampleShape;
    }

    /** An accepted record of {@code samples} samples of {@code sampleShape} (not copied; not exposed). */
    static DecodeResult ok(int samples, int[] sampleShape) {
        return new DecodeResult(null, "ok", samples, sampleShape);
    }

    /** A rejection; public so that callers can reject for reasons they decide (e.g. UNKNOWN_MODEL). */
    public static DecodeResult rejected(RejectReason reason, String message) {
        return new DecodeResult(Objects.requireNonNull(reason, "reason"),
                Objects.requireNonNull(message, "message"), 0, NO_SHAPE);
    }

    public boolean isOk() {
        return reason == null;
    }

    /** Samples decoded; 0 when rejected. */
    public int samples() {
        return samples;
    }

    /** The decoded shape, {@code [samples] + sampleShape}; empty when rejected. */
    public int[] shape() {
        if (!isOk()) {
            return NO_SHAPE.clone();
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = samples;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** The rejection reason. */
    public RejectReason reason() {
        if (reason == null) {
            throw new IllegalStateException("the record was accepted; there is no reject reason");
        }
        return reason;
    }

    /** Human-readable rejection message (printable ASCII); "ok" when accepted. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return isOk() ? "ok" + Arrays.toString(shape()) : "rejected(" + reason.metricName() + ": " + message + ")";
    }
}
