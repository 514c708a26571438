package io.varshift.core.codec;

import java.util.Objects;

/** Shared frame of both decoders: size caps first, one exit for every rejection, shape-to-samples rule. */
abstract class BaseDecoder implements RecordDecoder {
    final SampleShape sampleShape;
    final DecodeLimits limits;

    BaseDecoder(int[] sampleShape, DecodeLimits limits) {
        this.sampleShape = new SampleShape(sampleShape);
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public final DecodeResult decode(byte[] value, DecodeTarget target) {
        Objects.requireNonNull(target, "target");
        target.setCount(0);
        if (value == null || value.length == 0) {
            return DecodeResult.rejected(RejectReason.EMPTY, "record value is empty");
        }
        if (value.length > limits.maxBytes()) {
            return DecodeResult.rejected(RejectReason.OVERSIZE, "record value has " + value.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        try {
            return decodeValue(value, target);
        } catch (Rejection rejection) {
            target.setCount(0);
            return rejection.toResult();
        }
    }

    /** Decodes a non-empty value within the byte limit; fills the target and sets its count. */
    abstract DecodeResult decodeValue(byte[] value, DecodeTarget target) throws Rejection;

    /** Samples in a value of shape {@code dims[0..rank)}, rejecting mismatches, zero and too many samples. */
    final int checkedSamples(int[] dims, int rank) throws Rejection {
        int samples = sampleShape.samplesIn(dims, rank);
        if (samples < 0) {
            throw sampleShape.mismatch(dims, rank);
        }
        if (samples == 0) {
            throw new Rejection(RejectReason.EMPTY, "record holds zero samples (shape "
                    + SampleShape.format(dims, rank) + ")");
        }
        if (samples > limits.maxSamples() || (long) samples * sampleShape.size() > DecodeTarget.MAX_FLOATS) {
            throw new Rejection(RejectReason.OVERSIZE, "record holds " + samples
                    + " samples, more than the limit of " + limits.maxSamples());
        }
        return samples;
    }

    static Rejection notFinite(float value, long index) {
        return new Rejection(RejectReason.NOT_FINITE, "value " + value + " at flat index " + index
                + " is not finite; NaN and infinity are not valid model inputs");
    }
}
