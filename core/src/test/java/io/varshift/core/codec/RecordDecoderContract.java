package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link RecordDecoder} shares; each format's test subclasses it and supplies the decoder
 * and an encoder of float32 arrays in that format.
 */
abstract class RecordDecoderContract {
    static final int[] SAMPLE = {1, 2, 3};

    abstract RecordDecoder decoder(int[] sampleShape, DecodeLimits limits);

    /** Encodes row-major float32 {@code data} of {@code shape}; non-finite values as the format allows. */
    abstract byte[] encode(float[] data, int... shape);

    final DecodeTarget target = new DecodeTarget();

    DecodeResult decode(byte[] value) {
        return decoder(SAMPLE, DecodeLimits.DEFAULT).decode(value, target);
    }

    static float[] ramp(int n) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (i - n / 2) * 0.375f;
        }
        return data;
    }

    @Test
    void singleSampleDecodesToItsValues() {
        float[] data = ramp(6);
        DecodeResult result = decode(encode(data, 1, 2, 3));
        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.samples()).isEqualTo(1);
        assertThat(result.shape()).containsExactly(1, 1, 2, 3);
        assertThat(target.toArray()).containsExactly(data);
    }

    @Test
    void batchWithLeadingDimensionDecodesEverySample() {
        float[] data = ramp(4 * 6);
        DecodeResult result = decode(encode(data, 4, 1, 2, 3));
        assertThat(result.samples()).isEqualTo(4);
        assertThat(result.shape()).containsExactly(4, 1, 2, 3);
        assertThat(target.toArray()).containsExactly(data);
    }

    @Test
    void buffersAreDirectNativeOrderAndLimitedToTheDecodedFloats() {
        decode(encode(ramp(12), 2, 1, 2, 3));
        assertThat(target.byteBuffer().isDirect()).isTrue();
        assertThat(target.byteBuffer().order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(target.byteBuffer().limit()).isEqualTo(12 * Float.BYTES);
        assertThat(target.floatBuffer().limit()).isEqualTo(12);
        assertThat(target.floatBuffer().get(11)).isEqualTo(ramp(12)[11]);
    }

    @Test
    void targetIsReusedWhenLargeEnoughAndGrowsWhenNot() {
        DecodeTarget small = new DecodeTarget(1);
        RecordDecoder decoder = decoder(SAMPLE, DecodeLimits.DEFAULT);
        assertThat(decoder.decode(encode(ramp(48), 8, 1, 2, 3), small).samples()).isEqualTo(8);
        assertThat(small.capacity()).isGreaterThanOrEqualTo(48);
        var buffer = small.byteBuffer();
        assertThat(decoder.decode(encode(ramp(6), 1, 2, 3), small).samples()).isEqualTo(1);
        assertThat(small.byteBuffer()).isSameAs(buffer);
        assertThat(small.floatCount()).isEqualTo(6);
        assertThat(small.toArray()).containsExactly(ramp(6));
    }

    @Test
    void shapeOtherThanSampleOrBatchIsShapeMismatch() {
        DecodeResult result = decode(encode(ramp(6), 2, 3));
        assertThat(result.reason()).isEqualTo(RejectReason.SHAPE_MISMATCH);
        assertThat(result.message()).contains("(2, 3)", "(1, 2, 3)");
        assertThat(decode(encode(ramp(12), 2, 2, 1, 3)).reason()).isEqualTo(RejectReason.SHAPE_MISMATCH);
        assertThat(decode(encode(ramp(12), 1, 2, 1, 2, 3)).reason()).isEqualTo(RejectReason.SHAPE_MISMATCH);
    }

    @Test
    void nanAndInfinityAreNotFiniteAndNameTheIndex() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] data = ramp(12);
            data[10] = bad;
            DecodeResult result = decode(encode(data, 2, 1, 2, 3));
            assertThat(result.reason()).as("value %s", bad).isEqualTo(RejectReason.NOT_FINITE);
            assertThat(result.message()).contains("index 10");
        }
    }

    @Test
    void rejectionLeavesTheTargetEmpty() {
        decode(encode(ramp(6), 1, 2, 3));
        float[] data = ramp(6);
        data[5] = Float.NaN;
        assertThat(decode(encode(data, 1, 2, 3)).isOk()).isFalse();
        assertThat(target.floatCount()).isZero();
    }

    @Test
    void valueLargerThanMaxBytesIsOversize() {
        byte[] value = encode(ramp(6), 1, 2, 3);
        RecordDecoder decoder = decoder(SAMPLE, new DecodeLimits(value.length - 1, 10));
        DecodeResult result = decoder.decode(value, target);
        assertThat(result.reason()).isEqualTo(RejectReason.OVERSIZE);
        assertThat(result.message()).contains(Integer.toString(value.length), Integer.toString(value.length - 1));
        assertThat(decoder(SAMPLE, new DecodeLimits(value.length, 10)).decode(value, target).isOk()).isTrue();
    }

    @Test
    void moreSamplesThanMaxSamplesIsOversize() {
        RecordDecoder decoder = decoder(SAMPLE, new DecodeLimits(1 << 20, 2));
        assertThat(decoder.decode(encode(ramp(18), 3, 1, 2, 3), target).reason()).isEqualTo(RejectReason.OVERSIZE);
        assertThat(decoder.decode(encode(ramp(12), 2, 1, 2, 3), target).samples()).isEqualTo(2);
    }

    @Test
    void absentOrZeroLengthValueIsEmpty() {
        assertThat(decode(null).reason()).isEqualTo(RejectReason.EMPTY);
        assertThat(decode(new byte[0]).reason()).isEqualTo(RejectReason.EMPTY);
    }

    @Test
    void batchOfZeroSamplesIsEmpty() {
        assertThat(decode(encode(new float[0], 0, 1, 2, 3)).reason()).isEqualTo(RejectReason.EMPTY);
    }

    @Test
    void valueCutShortIsTruncated() {
        byte[] value = encode(ramp(6), 1, 2, 3);
        for (int cut : new int[] {1, 3, 5}) {
            DecodeResult result = decode(Arrays.copyOf(value, value.length - cut));
            assertThat(result.reason()).as("cut %d: %s", cut, result).isEqualTo(RejectReason.TRUNCATED);
        }
    }
}
