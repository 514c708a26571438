package io.varshift.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes arrays as NPY format 1.0, byte for byte as {@code numpy.save} writes them (header padded to a
 * multiple of 64 bytes, with numpy's spare room for growing the first axis). Used by replay and tests.
 */
public final class NpyWriter {
    private static final byte[] PREAMBLE = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final int ALIGN = 64;
    /** numpy leaves room for the first dimension to grow to 21 digits (format.GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private NpyWriter() {
    }

    /** Little-endian float32 ({@code <f4}) array of {@code shape}, row-major. */
    public static byte[] float32(float[] data, int... shape) {
        checkLength(data.length, shape);
        ByteBuffer out = start("<f4", shape, (long) data.length * Float.BYTES);
        out.asFloatBuffer().put(data);
        return out.array();
    }

    /** uint8 ({@code |u1}) array of {@code shape}, row-major. */
    public static byte[] uint8(byte[] data, int... shape) {
        checkLength(data.length, shape);
        ByteBuffer out = start("|u1", shape, data.length);
        out.put(data);
        return out.array();
    }

    /** Little-endian int64 ({@code <i8}) array of {@code shape}, row-major: labels as numpy saves them. */
    public static byte[] int64(long[] data, int... shape) {
        checkLength(data.length, shape);
        ByteBuffer out = start("<i8", shape, (long) data.length * Long.BYTES);
        out.asLongBuffer().put(data);
        return out.array();
    }

    private static void checkLength(int length, int[] shape) {
        long product = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape dimensions must be non-negative, got "
                        + SampleShape.format(shape, shape.length));
            }
            product *= d;
        }
        if (product != length) {
            throw new IllegalArgumentException("shape " + SampleShape.format(shape, shape.length) + " holds "
                    + product + " values but the data has " + length);
        }
    }

    private static ByteBuffer start(String descr, int[] shape, long dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + SampleShape.format(shape, shape.length) + ", }";
        int growth = shape.length == 0 ? 0 : GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length();
        int unpadded = PREAMBLE.length + 2 + dict.length() + growth + 1;
        int headerLength = dict.length() + growth + (ALIGN - unpadded % ALIGN) + 1;
        long total = PREAMBLE.length + 2 + headerLength + dataBytes;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + dataBytes + " bytes is too large for one NPY byte[]");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(PREAMBLE).putShort((short) headerLength).put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = dict.length(); i < headerLength - 1; i++) {
            out.put((byte) ' ');
        }
        return out.put((byte) '\n');
    }
}
