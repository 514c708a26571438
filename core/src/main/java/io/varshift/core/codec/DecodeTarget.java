package io.varshift.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A reusable, growable direct native-order float buffer that decoders write samples into, so that
 * the hot path allocates no per-record buffers. The buffers returned are views valid until the next
 * decode into this target; one target per thread.
 */
public final class DecodeTarget {
    static final int MAX_FLOATS = Integer.MAX_VALUE / Float.BYTES;

    private ByteBuffer bytes;
    private FloatBuffer floats;
    private int count;

    /** A target with room for one 28x28 image; it grows on demand. */
    public DecodeTarget() {
        this(784);
    }

    public DecodeTarget(int initialFloats) {
        if (initialFloats < 1 || initialFloats > MAX_FLOATS) {
            throw new IllegalArgumentException("initialFloats must be in [1, " + MAX_FLOATS + "], got " + initialFloats);
        }
        allocate(initialFloats);
    }

    /** Number of floats the last successful decode wrote. */
    public int floatCount() {
        return count;
    }

    /** Floats the target holds without growing. */
    public int capacity() {
        return floats.capacity();
    }

    /** The float at {@code index} in {@code [0, floatCount())}. */
    public float get(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + count + ")");
        }
        return floats.get(index);
    }

    /** The decoded bytes: direct, native order, position 0, limit {@code floatCount() * 4}. */
    public ByteBuffer byteBuffer() {
        bytes.clear().limit(count * Float.BYTES);
        return bytes;
    }

    /** The decoded floats: direct, native order, position 0, limit {@code floatCount()}. */
    public FloatBuffer floatBuffer() {
        floats.clear().limit(count);
        return floats;
    }

    /** A copy of the decoded floats (tests, diagnostics). */
    public float[] toArray() {
        float[] out = new float[count];
        floats.get(0, out, 0, count);
        return out;
    }

    /** Empties the target and makes room for {@code needed} floats; old content is dropped. */
    void reset(int needed) {
        count = 0;
        if (needed > floats.capacity()) {
            allocate(Math.max(needed, grow(floats.capacity())));
        }
    }

    /** Makes room for {@code needed} floats keeping the current content (streaming decoders). */
    void ensureCapacityKeeping(int needed) {
        if (needed > floats.capacity()) {
            FloatBuffer old = floats;
            allocate(Math.max(needed, grow(old.capacity())));
            floats.put(0, old, 0, old.capacity());
        }
    }

    FloatBuffer raw() {
        return floats;
    }

    ByteBuffer rawBytes() {
        return bytes;
    }

    void setCount(int floatCount) {
        count = floatCount;
    }

    private static int grow(int capacity) {
        return (int) Math.min(MAX_FLOATS, 2L * capacity);
    }

    private void allocate(int capacity) {
        bytes = ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder());
        floats = bytes.asFloatBuffer();
    }
}
