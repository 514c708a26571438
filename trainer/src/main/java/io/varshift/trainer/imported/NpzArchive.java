package io.varshift.trainer.imported;

import io.varshift.core.codec.NpyFileHeader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The float32 arrays of an {@code .npz} archive (numpy's {@code savez}: a zip of {@code .npy} files),
 * by entry name without the {@code .npy} suffix. Only little-endian float32 in C order is taken: that
 * is what the exporter writes, and anything else is a sign of the wrong file.
 */
final class NpzArchive {

    /** Largest archive read: weights of the supported architectures are far smaller. */
    static final long MAX_BYTES = 1L << 30;

    /** One array: its shape and values. */
    record Array(int[] shape, float[] values) {
    }

    private final Path file;
    private final Map<String, Array> arrays;

    private NpzArchive(Path file, Map<String, Array> arrays) {
        this.file = file;
        this.arrays = arrays;
    }

    /**
     * @throws IllegalArgumentException naming the file and entry when the archive is missing, too
     *     large, not a zip of NPY files, or holds an array that is not float32 in C order
     */
    static NpzArchive read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("weights file " + file + " does not exist or is not a file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("weights file " + file + " has " + Files.size(file)
                        + " bytes; at most " + MAX_BYTES + " are read");
            }
            Map<String, Array> arrays = new LinkedHashMap<>();
            try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    String name = entry.getName();
                    if (!name.endsWith(".npy")) {
                        throw new IllegalArgumentException("weights file " + file + ": entry '" + name + "' is not an"
                                + " .npy array; write the archive with numpy.savez (the exporter does)");
                    }
                    arrays.put(name.substring(0, name.length() - 4), array(file, name, zip.readAllBytes()));
                }
            }
            if (arrays.isEmpty()) {
                throw new IllegalArgumentException("weights file " + file + " is not an .npz archive (no .npy entry)");
            }
            return new NpzArchive(file, arrays);
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException("weights file " + file + " is not an .npz (zip) archive: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weights file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Array array(Path file, String entry, byte[] bytes) {
        NpyFileHeader header;
        try {
            header = NpyFileHeader.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weights file " + file + ", entry '" + entry + "': " + e.getMessage(), e);
        }
        if (!"<f4".equals(header.descr()) || header.fortranOrder()) {
            throw new IllegalArgumentException("weights file " + file + ", entry '" + entry + "' is " + header.descr()
                    + (header.fortranOrder() ? " in Fortran order" : "") + "; the importer takes float32 ('<f4') in"
                    + " C order, as the exporter writes");
        }
        long count = Arrays.stream(header.shape()).asLongStream().reduce(1, Math::multiplyExact);
        long expected = header.dataOffset() + count * Float.BYTES;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("weights file " + file + ", entry '" + entry + "' holds "
                    + (bytes.length - header.dataOffset()) + " data bytes for shape " + header.formattedShape()
                    + ", which needs " + count * Float.BYTES);
        }
        float[] values = new float[(int) count];
        ByteBuffer.wrap(bytes, header.dataOffset(), (int) (count * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer().get(values);
        return new Array(header.shape(), values);
    }

    Path file() {
        return file;
    }

    /** Entry names in archive order. */
    java.util.Set<String> names() {
        return arrays.keySet();
    }

    /** The array, or null when the archive has no such entry. */
    Array get(String name) {
        return arrays.get(name);
    }
}
