package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated values (bit flips, truncations, header and token edits of valid NPY and JSON)
 * to the decoders: every one must decode to finite floats of the right count or be rejected with a
 * reason and a printable message; any exception fails the test with the offending bytes.
 */
class DecoderFuzzTest {
    private static final int[] SAMPLE = {1, 2, 3};
    private static final byte[] NPY_ALPHABET = "{}()[]',: 0123456789TrueFalse<|>f4u18descrfortan_ohp\n\"-"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON_ALPHABET = "{}[],:\" 0123456789.-+eENaInfityshapedt\\u\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final RecordDecoders decoders = new RecordDecoders(SAMPLE, new DecodeLimits(4096, 8));
    private final DecodeTarget target = new DecodeTarget(1);
    private final SplittableRandom random = new SplittableRandom(20_180_105);
    private final Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
    private int accepted;

    @Test
    void everyRandomOrMutatedValueDecodesOrIsRejectedWithAReason() {
        for (int i = 0; i < 25_000; i++) {
            check(null, randomBytes(random.nextInt(0, 200)));
        }
        for (int i = 0; i < 45_000; i++) {
            byte[] npy = random.nextInt(3) == 0 ? editHeaderToken(validNpy()) : validNpy();
            check(i % 3 == 0 ? TrafficHeaders.NPY : null, random.nextInt(5) == 0 ? npy : mutate(npy, NPY_ALPHABET, 10, 40));
        }
        for (int i = 0; i < 45_000; i++) {
            byte[] json = validJson();
            check(i % 3 == 0 ? TrafficHeaders.JSON : null, mutate(json, JSON_ALPHABET, 0, json.length));
        }
        for (int i = 0; i < 10_000; i++) {
            check(null, tokenSoup());
        }

        assertThat(accepted).as("accepted values").isGreaterThan(1_000);
        assertThat(reasons.keySet()).as("reasons seen").contains(RejectReason.BAD_MAGIC,
                RejectReason.UNSUPPORTED_VERSION, RejectReason.BAD_HEADER, RejectReason.UNSUPPORTED_DTYPE,
                RejectReason.FORTRAN_ORDER, RejectReason.SHAPE_MISMATCH, RejectReason.NOT_FINITE,
                RejectReason.OVERSIZE, RejectReason.TRUNCATED, RejectReason.BAD_JSON, RejectReason.EMPTY);
    }

    private void check(String contentType, byte[] value) {
        DecodeResult result;
        try {
            result = decoders.decode(contentType, value, target);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("decoder threw on " + HexFormat.of().formatHex(value), e);
        }
        if (result.isOk()) {
            accepted++;
            assertThat(target.floatCount()).isEqualTo(result.samples() * 6);
            assertThat(result.samples()).isBetween(1, 8);
            for (float f : target.toArray()) {
                assertThat(Float.isFinite(f)).as("finite").isTrue();
            }
        } else {
            reasons.merge(result.reason(), 1, Integer::sum);
            assertThat(target.floatCount()).isZero();
            assertThat(result.message()).isNotBlank().matches("[\\x20-\\x7e]+");
        }
    }

    private byte[] validNpy() {
        int samples = random.nextInt(1, 4);
        boolean batch = samples > 1 || random.nextBoolean();
        int[] shape = batch ? new int[] {samples, 1, 2, 3} : SAMPLE;
        byte[] value;
        if (random.nextBoolean()) {
            float[] data = new float[samples * 6];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextDouble(-10, 10);
            }
            value = NpyWriter.float32(data, shape);
        } else {
            value = NpyWriter.uint8(randomBytes(samples * 6), shape);
        }
        if (random.nextInt(4) == 0) {
            value = asVersion2(value);
        }
        return value;
    }

    /** The same array in NPY format 2.0 (4-byte header length). */
    private static byte[] asVersion2(byte[] v1) {
        int headerLength = (v1[8] & 0xff) | (v1[9] & 0xff) << 8;
        byte[] v2 = new byte[v1.length + 2];
        System.arraycopy(v1, 0, v2, 0, 8);
        v2[6] = 2;
        v2[8] = (byte) headerLength;
        v2[9] = (byte) (headerLength >> 8);
        System.arraycopy(v1, 10, v2, 12, v1.length - 10);
        return v2;
    }

    private byte[] validJson() {
        int samples = random.nextInt(1, 4);
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < samples * 6; i++) {
            data.append(i == 0 ? "" : ", ").append(random.nextInt(8) == 0 ? "1e-3" : random.nextDouble(-10, 10));
        }
        String shape = samples > 1 ? "[" + samples + ", 1, 2, 3]" : "[1, 2, 3]";
        String json = random.nextBoolean()
                ? "{\"shape\": " + shape + ", \"data\": [" + data + "]}"
                : "{\"data\": [" + data + "], \"shape\": " + shape + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces one header token by a same-length alternative (other dtype, order, shape, quoting). */
    private byte[] editHeaderToken(byte[] npy) {
        String[][] edits = {{"False", "True "}, {"<f4", "<f8"}, {"<f4", ">f4"}, {"|u1", "<u2"}, {"|u1", "<f4"},
            {"<f4", "|u1"}, {"(1, 2, 3)", "(2, 3, 1)"}, {"(1, 2, 3)", "(6,)     "}, {"'shape'", "\"shape\""},
            {"'descr'", "'dtype'"}, {", }", "} ,"}, {"(2, 1, 2, 3)", "(0, 1, 2, 3)"}, {"(3, 1, 2, 3)", "(9, 1, 2, 3)"}};
        String[] edit = edits[random.nextInt(edits.length)];
        String text = new String(npy, StandardCharsets.ISO_8859_1);
        return text.replace(edit[0], edit[1]).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One to four edits: bit flips, truncation, byte replacement from the format's alphabet, insert, delete. */
    private byte[] mutate(byte[] value, byte[] alphabet, int focusFrom, int focusTo) {
        byte[] v = value;
        int edits = random.nextInt(1, 5);
        for (int e = 0; e < edits && v.length > 0; e++) {
            int at = random.nextInt(4) == 0 || focusTo > v.length || focusFrom >= focusTo
                    ? random.nextInt(v.length) : random.nextInt(focusFrom, Math.min(focusTo, v.length));
            switch (random.nextInt(6)) {
                case 0 -> v[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> v = Arrays.copyOf(v, at);
                case 2, 3 -> v[at] = alphabet[random.nextInt(alphabet.length)];
                case 4 -> {
                    byte[] longer = new byte[v.length + 1];
                    System.arraycopy(v, 0, longer, 0, at);
                    longer[at] = alphabet[random.nextInt(alphabet.length)];
                    System.arraycopy(v, at, longer, at + 1, v.length - at);
                    v = longer;
                }
                default -> {
                    byte[] shorter = new byte[v.length - 1];
                    System.arraycopy(v, 0, shorter, 0, at);
                    System.arraycopy(v, at + 1, shorter, at, v.length - at - 1);
                    v = shorter;
                }
            }
        }
        return v;
    }

    private byte[] tokenSoup() {
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"shape\"", "\"data\"", "1", "0", "-2.5e3", "NaN",
            "-Infinity", "6", " ", "\"x\"", "1e400", "[1, 2, 3]", "[[1, 2, 3], [4, 5, 6]]"};
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(1, 30); i > 0; i--) {
            sb.append(tokens[random.nextInt(tokens.length)]);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        if (length > 8 && random.nextBoolean()) {
            System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, 0, bytes, 0, 8);
        }
        return bytes;
    }
}
