package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonDecoderTest extends RecordDecoderContract {

    @Override
    RecordDecoder decoder(int[] sampleShape, DecodeLimits limits) {
        return new JsonDecoder(sampleShape, limits);
    }

    /** Flat data, non-finite values as Python's json module writes them (NaN, Infinity, -Infinity). */
    @Override
    byte[] encode(float[] data, int... shape) {
        StringBuilder sb = new StringBuilder("{\"shape\": [");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        sb.append("], \"data\": [");
        for (int i = 0; i < data.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(data[i]);
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private final JsonDecoder scalars = new JsonDecoder(new int[] {1}, DecodeLimits.DEFAULT);

    private DecodeResult decode(String json) {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private DecodeResult decodeScalar(String number) {
        return scalars.decode(("{\"shape\": [1], \"data\": [" + number + "]}").getBytes(StandardCharsets.UTF_8), target);
    }

    @Test
    void nestedDataMatchingTheShapeDecodesRowMajor() {
        DecodeResult result = decode("{\"data\": [[[1, 2, 3], [4, 5, 6]]], \"shape\": [1, 2, 3]}");
        assertThat(result.shape()).containsExactly(1, 1, 2, 3);
        assertThat(target.toArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void nestedBatchDecodes() {
        DecodeResult result = decode(" {\"shape\":[2,1,2,3],\"data\":[[[[1,2,3],[4,5,6]]],[[[7,8,9],[10,11,12]]]]}\n");
        assertThat(result.samples()).isEqualTo(2);
        assertThat(target.get(11)).isEqualTo(12f);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"shape\": [1, 2, 3], \"data\": [[[1, 2, 3], [4, 5]]]}            | ragged",
        "{\"shape\": [1, 2, 3], \"data\": [[[1, 2, 3], 4]]}                 | mixes numbers and arrays",
        "{\"shape\": [1, 3, 2], \"data\": [[[1, 2, 3], [4, 5, 6]]]}         | but 'shape' says (1, 3, 2)",
        "{\"shape\": [1, 2, 3], \"data\": [1, 2, 3, 4, 5]}                  | holds 5 values but 'shape' (1, 2, 3) needs 6",
        "{\"shape\": [1, 2, 3], \"data\": [1, 2, 3, 4, 5, 6], \"id\": 7}    | unknown field 'id'",
        "{\"shape\": [1, 2, 3]}                                             | missing 'data'",
        "{\"data\": [1, 2, 3, 4, 5, 6]}                                     | missing 'shape'",
        "{\"shape\": [1, 2, 3], \"shape\": [1, 2, 3], \"data\": []}         | 'shape' appears twice",
        "{\"shape\": [1, 2, 3.0], \"data\": [1, 2, 3, 4, 5, 6]}             | entries must be integers",
        "{\"shape\": [1, -2, 3], \"data\": [1, 2, 3, 4, 5, 6]}              | entries must be integers",
        "{\"shape\": [1, 2, 3], \"data\": [1, 2, 3, 4, 5, 6,]}              | malformed number",
        "{\"shape\": [1, 2, 3], \"data\": [1, 2, 3, 4, 5, 6]} x             | after the object",
        "{\"shape\": [1, 2, 3], \"data\": [1 2, 3, 4, 5, 6]}                | expected ',' or ']'",
        "{\"shape\": [1, 2, 3], \"data\": [true, 2, 3, 4, 5, 6]}            | malformed number",
        "{shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6]}                       | double quotes",
        "[[[1, 2, 3], [4, 5, 6]]]                                           | expected an object",
        "{}                                                                 | no 'shape' and 'data'",
    })
    void malformedRecordIsBadJsonSayingWhy(String json, String why) {
        DecodeResult result = decode(json.strip());
        assertThat(result.reason()).as(result.toString()).isEqualTo(RejectReason.BAD_JSON);
        assertThat(result.message()).contains(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.5.2", "--1"})
    void malformedNumbersAreBadJson(String number) {
        DecodeResult result = decode("{\"shape\": [6], \"data\": [" + number + ", 2, 3, 4, 5, 6]}");
        assertThat(result.reason()).as(number).isEqualTo(RejectReason.BAD_JSON);
    }

    @ParameterizedTest
    @CsvSource({"0.1, 0.1", "-0.5, -0.5", "1E+2, 100", "2.5e-3, 0.0025", "-0, -0.0", "1234567, 1234567",
        "3.4028235e38, 3.4028235e38", "1e-50, 0", "0.30000000000000004441, 0.3"})
    void numbersAreRoundedToFloat32ViaDouble(String number, float expected) {
        assertThat(decodeScalar(number).isOk()).isTrue();
        assertThat(target.get(0)).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void anyPrintedDoubleParsesLikeAFloat32CastOfIt(@ForAll double value) {
        if (!Double.isFinite(value) || Math.abs(value) > Float.MAX_VALUE) {
            return;
        }
        DecodeResult result = decodeScalar(Double.toString(value));
        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(target.get(0)).isEqualTo((float) value);
    }

    @Test
    void valueBeyondFloat32RangeIsNotFinite() {
        DecodeResult result = decodeScalar("1e39");
        assertThat(result.reason()).isEqualTo(RejectReason.NOT_FINITE);
    }

    @Test
    void deepNestingIsRejectedWithoutRecursion() {
        String deep = "[".repeat(100_000);
        assertThat(decode("{\"shape\": [1], \"data\": " + deep).reason()).isEqualTo(RejectReason.BAD_JSON);
    }

    @Test
    void dataLongerThanTheSampleLimitIsOversizeBeforeItIsStored() {
        RecordDecoder decoder = decoder(new int[] {2}, new DecodeLimits(1 << 20, 3));
        DecodeResult result = decoder.decode(encode(new float[8], 4, 2), target);
        assertThat(result.reason()).isEqualTo(RejectReason.OVERSIZE);
        assertThat(result.message()).contains("more than 6 values");
    }

    @Test
    void escapedFieldNamesAreValidatedButNotTreatedAsKnownFields() {
        DecodeResult result = decode("{\"sh\\u0061pe\": [6], \"data\": [1, 2, 3, 4, 5, 6]}");
        assertThat(result.reason()).isEqualTo(RejectReason.BAD_JSON);
        assertThat(result.message()).contains("unknown field");
        assertThat(decode("{\"sh\\qape\": [6]}").message()).contains("malformed escape");
    }
}
