package io.varshift.core.data;

import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.NpyDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Unlabelled samples from a directory of {@code .npy} files, the format the agent consumes from
 * Kafka (one sample or a leading batch axis per file; {@code <f4} or {@code |u1}, the latter scaled
 * to [0, 1]). Files are read in name order, so a directory always gives the same sample order.
 * Used by offline jobs (recalibration) on captured traffic.
 */
public final class NpyDataset {

    /** Largest single .npy file read. */
    public static final int MAX_FILE_BYTES = 256 << 20;

    private NpyDataset() {
    }

    /**
     * Reads every {@code *.npy} file directly in {@code dir}.
     *
     * @param sampleShape shape of one sample, e.g. [1, 28, 28]
     * @param maxSamples  stop with an error beyond this many samples (a memory cap)
     * @throws IllegalArgumentException naming the file and the reason when a file is not a valid sample batch,
     *                                  or when the directory holds no .npy file
     */
    public static ImageSet load(Path dir, long[] sampleShape, int maxSamples) {
        int[] shape = Arrays.stream(sampleShape).mapToInt(Math::toIntExact).toArray();
        int sampleSize = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        NpyDecoder decoder = new NpyDecoder(shape, new DecodeLimits(MAX_FILE_BYTES, Math.max(1, maxSamples)));
        DecodeTarget target = new DecodeTarget();
        List<Path> files = npyFiles(dir);
        float[] all = new float[0];
        int samples = 0;
        for (Path file : files) {
            DecodeResult result = decoder.decode(read(file), target);
            if (!result.isOk()) {
                throw new IllegalArgumentException("NPY file " + file + " refused (" + result.reason() + "): "
                        + result.message());
            }
            if ((long) samples + result.samples() > maxSamples) {
                throw new IllegalArgumentException("NPY directory " + dir + " holds more than " + maxSamples
                        + " samples (at " + file.getFileName() + "); raise the limit or use fewer files");
            }
            int need = (samples + result.samples()) * sampleSize;
            if (need > all.length) {
                all = Arrays.copyOf(all, (int) Math.max(need, Math.min((long) maxSamples * sampleSize, 2L * all.length)));
            }
            FloatBuffer decoded = target.floatBuffer();
            decoded.get(all, samples * sampleSize, result.samples() * sampleSize);
            samples += result.samples();
        }
        return ImageSet.ofFloats(Arrays.copyOf(all, samples * sampleSize), null, sampleShape);
    }

    private static List<Path> npyFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("NPY directory " + dir + " does not exist or is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = entries.filter(p -> p.getFileName().toString().endsWith(".npy"))
                    .filter(Files::isRegularFile).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("NPY directory " + dir + " holds no .npy file");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list NPY directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("NPY file " + file + " has " + size + " bytes; at most "
                        + MAX_FILE_BYTES + " per file (split it)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read NPY file " + file + ": " + e.getMessage(), e);
        }
    }
}
