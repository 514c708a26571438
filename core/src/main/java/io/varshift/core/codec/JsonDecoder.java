package io.varshift.core.codec;

import java.util.Arrays;

/**
 * Decodes JSON values {@code {"shape": [...], "data": [...]}}. {@code data} is either flat (row-major,
 * length = product of shape) or nested arrays whose nesting matches {@code shape} exactly. Numbers are
 * read as double and rounded to float32, as {@code numpy.asarray(values, dtype=float32)} does; the
 * tokens NaN and Infinity (which Python's json module writes) are rejected as NOT_FINITE. Other keys are
 * rejected so that typos do not pass silently.
 */
public final class JsonDecoder extends BaseDecoder {

    public JsonDecoder(int[] sampleShape, DecodeLimits limits) {
        super(sampleShape, limits);
    }

    @Override
    public String contentType() {
        return TrafficHeaders.JSON;
    }

    @Override
    DecodeResult decodeValue(byte[] value, DecodeTarget target) throws Rejection {
        int maxFloats = (int) Math.min(DecodeTarget.MAX_FLOATS, (long) limits.maxSamples() * sampleShape.size());
        JsonRecordParser parsed = JsonRecordParser.parse(value, target, maxFloats);
        if (parsed.dataRank == 1) {
            long declared = 1;
            for (int i = 0; i < parsed.shapeRank; i++) {
                declared *= parsed.shape[i];
            }
            if (declared != parsed.count) {
                throw new Rejection(RejectReason.BAD_JSON, "'data' holds " + parsed.count + " values but 'shape' "
                        + SampleShape.format(parsed.shape, parsed.shapeRank) + " needs " + declared);
            }
        } else if (parsed.dataRank != parsed.shapeRank
                || !Arrays.equals(parsed.dataDims, 0, parsed.dataRank, parsed.shape, 0, parsed.shapeRank)) {
            throw new Rejection(RejectReason.BAD_JSON, "nested 'data' has shape "
                    + SampleShape.format(parsed.dataDims, parsed.dataRank) + " but 'shape' says "
                    + SampleShape.format(parsed.shape, parsed.shapeRank));
        }
        int samples = checkedSamples(parsed.shape, parsed.shapeRank);
        target.setCount(parsed.count);
        return DecodeResult.ok(samples, sampleShape.dims());
    }
}
