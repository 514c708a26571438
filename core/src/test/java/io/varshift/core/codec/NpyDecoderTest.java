package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpyDecoderTest extends RecordDecoderContract {

    @Override
    RecordDecoder decoder(int[] sampleShape, DecodeLimits limits) {
        return new NpyDecoder(sampleShape, limits);
    }

    @Override
    byte[] encode(float[] data, int... shape) {
        return NpyWriter.float32(data, shape);
    }

    /** Files written by numpy 2 ({@code numpy.save}), see the resources folder. */
    static byte[] numpyFile(String name) {
        try (InputStream in = NpyDecoderTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An NPY v1.0 value with the given header dict and data bytes. */
    static byte[] withHeader(String dict, int dataBytes) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(10 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) header.length).put(header).array();
    }

    @Test
    void writerOutputIsByteIdenticalToNumpySave() {
        float[] quarterRamp = {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f};
        assertThat(NpyWriter.float32(quarterRamp, 1, 2, 3)).isEqualTo(numpyFile("f4-1x2x3.npy"));
        byte[] pixels = {0, 1, 2, 3, (byte) 128, (byte) 255, 0, 1, 2, 3, (byte) 128, (byte) 255};
        assertThat(NpyWriter.uint8(pixels, 2, 2, 3)).isEqualTo(numpyFile("u1-2x2x3.npy"));
    }

    @Test
    void numpyFloat32FileDecodes() {
        assertThat(decode(numpyFile("f4-1x2x3.npy")).samples()).isEqualTo(1);
        assertThat(target.toArray()).containsExactly(0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f);
    }

    @Test
    void numpyFormatVersion2FileDecodes() {
        assertThat(new NpyDecoder(new int[] {2, 3}, DecodeLimits.DEFAULT)
                .decode(numpyFile("f4-v2-2x2x3.npy"), target).samples()).isEqualTo(2);
        assertThat(target.get(11)).isEqualTo(-11f);
    }

    @Test
    void uint8PixelsAreDividedBy255() {
        DecodeResult result = new NpyDecoder(new int[] {2, 3}, DecodeLimits.DEFAULT)
                .decode(numpyFile("u1-2x2x3.npy"), target);
        assertThat(result.shape()).containsExactly(2, 2, 3);
        assertThat(Arrays.copyOf(target.toArray(), 6)).containsExactly(0f, 1 / 255f, 2 / 255f, 3 / 255f, 128 / 255f, 1f);
    }

    @Test
    void fortranOrderIsRejected() {
        DecodeResult result = new NpyDecoder(new int[] {2, 3}, DecodeLimits.DEFAULT)
                .decode(numpyFile("f4-fortran-2x3.npy"), target);
        assertThat(result.reason()).isEqualTo(RejectReason.FORTRAN_ORDER);
    }

    @Test
    void float64AndBigEndianAreUnsupportedDtypes() {
        DecodeResult float64 = decode(numpyFile("f8-1x2x3.npy"));
        assertThat(float64.reason()).isEqualTo(RejectReason.UNSUPPORTED_DTYPE);
        assertThat(float64.message()).contains("'<f8'", "'<f4'", "'|u1'");
        assertThat(decode(numpyFile("be-f4-1x2x3.npy")).reason()).isEqualTo(RejectReason.UNSUPPORTED_DTYPE);
    }

    @Test
    void valueWithoutNpyMagicIsBadMagic() {
        DecodeResult result = decode("PK\u0003\u0004 zip file".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(result.reason()).isEqualTo(RejectReason.BAD_MAGIC);
        assertThat(result.message()).contains("'PK\\x03\\x04 z'");
    }

    @ParameterizedTest
    @CsvSource({"3, 0", "1, 1", "0, 0", "255, 0"})
    void formatVersionsOtherThan1And2AreUnsupported(int major, int minor) {
        byte[] value = numpyFile("f4-1x2x3.npy");
        value[6] = (byte) major;
        value[7] = (byte) minor;
        DecodeResult result = decode(value);
        assertThat(result.reason()).isEqualTo(RejectReason.UNSUPPORTED_VERSION);
        assertThat(result.message()).contains(major + "." + minor);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'descr': '<f4', 'fortran_order': False}                                   | no 'shape' key",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), 'x': 1}       | unknown key 'x'",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}    | appears twice",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}                     | trailing comma",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [6]}                     | must be a tuple",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}                        | True or False",
        "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (6,)}                   | True or False",
        "{'descr': 4, 'fortran_order': False, 'shape': (6,)}                        | must be a string",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}                   | non-negative integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (06,)}                   | leading zero",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}          | larger than",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} extra              | after the dictionary",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}                     | expected ',' or '}'",
        "{'descr': '<f\\4', 'fortran_order': False, 'shape': (6,)}                  | without escapes",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,                      | unexpected end",
        "['descr', '<f4']                                                           | expected '{'",
    })
    void malformedHeaderDictIsBadHeaderSayingWhy(String dict, String why) {
        DecodeResult result = new NpyDecoder(new int[] {6}, DecodeLimits.DEFAULT).decode(withHeader(dict.strip(), 24), target);
        assertThat(result.reason()).isEqualTo(RejectReason.BAD_HEADER);
        assertThat(result.message()).contains(why);
    }

    @Test
    void headerDictMayUseDoubleQuotesAnyKeyOrderAndNoTrailingComma() {
        byte[] value = withHeader("{\"shape\": (6,), \"fortran_order\": False, \"descr\": \"<f4\"}", 24);
        assertThat(new NpyDecoder(new int[] {6}, DecodeLimits.DEFAULT).decode(value, target).isOk()).isTrue();
    }

    @Test
    void bytesAfterTheDeclaredDataAreBadHeader() {
        byte[] value = Arrays.copyOf(numpyFile("f4-1x2x3.npy"), 152 + 4);
        DecodeResult result = decode(value);
        assertThat(result.reason()).isEqualTo(RejectReason.BAD_HEADER);
        assertThat(result.message()).contains("4 bytes after the data");
    }

    @Test
    void headerLengthBeyondTheValueIsTruncated() {
        byte[] value = numpyFile("f4-1x2x3.npy");
        value[8] = (byte) 0xff;
        value[9] = (byte) 0x7f;
        assertThat(decode(value).reason()).isEqualTo(RejectReason.TRUNCATED);
        assertThat(decode(Arrays.copyOf(value, 4)).reason()).isEqualTo(RejectReason.TRUNCATED);
        assertThat(decode(Arrays.copyOf(value, 9)).reason()).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void writerRefusesDataThatDisagreesWithTheShape() {
        assertThatThrownBy(() -> NpyWriter.float32(new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3) holds 6 values but the data has 5");
    }
}
