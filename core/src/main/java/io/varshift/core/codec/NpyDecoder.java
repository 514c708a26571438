package io.varshift.core.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Decodes NPY values (format 1.0 and 2.0, C order) of dtype {@code <f4} (little-endian float32) or
 * {@code |u1} (uint8). uint8 values are divided by 255, the scaling of the trainer's input pipeline,
 * so that pixels arrive in [0, 1] either way.
 */
public final class NpyDecoder extends BaseDecoder {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int PREAMBLE = MAGIC.length + 2;
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int EXPONENT_BITS = 0x7f800000;

    public NpyDecoder(int[] sampleShape, DecodeLimits limits) {
        super(sampleShape, limits);
    }

    @Override
    public String contentType() {
        return TrafficHeaders.NPY;
    }

    /** Whether {@code value} starts with the NPY magic (used to sniff records without a content type). */
    static boolean hasMagic(byte[] value) {
        if (value == null || value.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (value[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    DecodeResult decodeValue(byte[] value, DecodeTarget target) throws Rejection {
        int dataFrom = checkPreambleAndHeader(value);
        NpyHeader header = NpyHeader.parse(value, headerFrom(value), dataFrom);
        boolean float32 = header.descrIs("<f4");
        if (!float32 && !header.descrIs("|u1")) {
            throw new Rejection(RejectReason.UNSUPPORTED_DTYPE, "NPY dtype " + header.descr()
                    + " is not supported; send little-endian float32 '<f4' or uint8 '|u1'");
        }
        if (header.fortranOrder) {
            throw new Rejection(RejectReason.FORTRAN_ORDER,
                    "NPY array is in Fortran order; send C order (numpy.ascontiguousarray)");
        }
        int samples = checkedSamples(header.shape, header.rank);
        int floats = samples * sampleShape.size();
        long dataBytes = (long) floats * (float32 ? Float.BYTES : 1);
        long available = value.length - dataFrom;
        if (available < dataBytes) {
            throw new Rejection(RejectReason.TRUNCATED, "NPY data has " + available + " bytes but shape "
                    + SampleShape.format(header.shape, header.rank) + " needs " + dataBytes);
        }
        if (available > dataBytes) {
            throw new Rejection(RejectReason.BAD_HEADER, "NPY value has " + (available - dataBytes)
                    + " bytes after the data that shape " + SampleShape.format(header.shape, header.rank)
                    + " declares");
        }
        target.reset(floats);
        if (float32) {
            copyFloat32(value, dataFrom, floats, target);
        } else {
            copyUint8(value, dataFrom, floats, target.raw());
        }
        target.setCount(floats);
        return DecodeResult.ok(samples, sampleShape.dims());
    }

    /** Validates magic, version and header length; returns where the data starts. */
    static int checkPreambleAndHeader(byte[] value) throws Rejection {
        for (int i = 0; i < MAGIC.length; i++) {
            if (i == value.length) {
                throw new Rejection(RejectReason.TRUNCATED, "value of " + value.length + " bytes ends inside the NPY magic");
            }
            if (value[i] != MAGIC[i]) {
                throw new Rejection(RejectReason.BAD_MAGIC, "value starts with " + Text.quote(value, 0, Math.min(value.length, MAGIC.length))
                        + ", which is neither the NPY magic '\\x93NUMPY' nor JSON");
            }
        }
        if (value.length < PREAMBLE) {
            throw new Rejection(RejectReason.TRUNCATED, "value ends before the NPY format version");
        }
        int major = value[6] & 0xff;
        int minor = value[7] & 0xff;
        if ((major != 1 && major != 2) || minor != 0) {
            throw new Rejection(RejectReason.UNSUPPORTED_VERSION, "NPY format version " + major + "." + minor
                    + " is not supported; write version 1.0 or 2.0 (numpy.save does)");
        }
        int from = headerFrom(value);
        if (value.length < from) {
            throw new Rejection(RejectReason.TRUNCATED, "value ends inside the NPY header length");
        }
        long headerLength = major == 1
                ? Short.toUnsignedInt((short) LE_SHORT.get(value, PREAMBLE))
                : Integer.toUnsignedLong((int) LE_INT.get(value, PREAMBLE));
        if (from + headerLength > value.length) {
            throw new Rejection(RejectReason.TRUNCATED, "NPY header declares " + headerLength + " bytes but only "
                    + (value.length - from) + " follow");
        }
        return (int) (from + headerLength);
    }

    static int headerFrom(byte[] value) {
        return PREAMBLE + (value[6] == 1 ? 2 : 4);
    }

    private static void copyFloat32(byte[] value, int from, int floats, DecodeTarget target) throws Rejection {
        for (int i = 0; i < floats; i++) {
            int bits = (int) LE_INT.get(value, from + i * Float.BYTES);
            if ((bits & EXPONENT_BITS) == EXPONENT_BITS) {
                throw notFinite(Float.intBitsToFloat(bits), i);
            }
        }
        if (NATIVE_LITTLE_ENDIAN) {
            target.rawBytes().put(0, value, from, floats * Float.BYTES);
        } else {
            FloatBuffer out = target.raw();
            for (int i = 0; i < floats; i++) {
                out.put(i, Float.intBitsToFloat((int) LE_INT.get(value, from + i * Float.BYTES)));
            }
        }
    }

    private static void copyUint8(byte[] value, int from, int floats, FloatBuffer out) {
        for (int i = 0; i < floats; i++) {
            out.put(i, (value[from + i] & 0xff) / 255f);
        }
    }
}
