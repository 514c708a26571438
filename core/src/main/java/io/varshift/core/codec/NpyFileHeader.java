package io.varshift.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The header of a whole NPY file, for offline readers of arrays the record decoder does not take
 * (integer labels, a shape not known in advance). It is parsed by the decoder's own code, so files
 * and records are held to the same rules.
 */
public final class NpyFileHeader {
    private final String descr;
    private final boolean fortranOrder;
    private final int[] shape;
    private final int dataOffset;

    private NpyFileHeader(String descr, boolean fortranOrder, int[] shape, int dataOffset) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
        this.dataOffset = dataOffset;
    }

    /**
     * Parses the magic, version and header dict at the start of {@code file}.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static NpyFileHeader parse(byte[] file) {
        try {
            int dataFrom = NpyDecoder.checkPreambleAndHeader(file);
            NpyHeader header = NpyHeader.parse(file, NpyDecoder.headerFrom(file), dataFrom);
            String descr = new String(file, header.descrFrom, header.descrTo - header.descrFrom, StandardCharsets.US_ASCII);
            return new NpyFileHeader(descr, header.fortranOrder, Arrays.copyOf(header.shape, header.rank), dataFrom);
        } catch (Rejection rejection) {
            throw new IllegalArgumentException(rejection.getMessage());
        }
    }

    /** The dtype as written, e.g. {@code <f4}. */
    public String descr() {
        return descr;
    }

    public boolean fortranOrder() {
        return fortranOrder;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Index of the first data byte. */
    public int dataOffset() {
        return dataOffset;
    }

    /** The shape in Python tuple notation, as the header writes it: (3,), (2, 28, 28). */
    public String formattedShape() {
        return SampleShape.format(shape, shape.length);
    }
}
