package io.varshift.core.codec;

/**
 * Size caps applied before any decoding work.
 *
 * @param maxBytes   largest accepted record value in bytes
 * @param maxSamples largest accepted number of samples in one record
 */
public record DecodeLimits(int maxBytes, int maxSamples) {

    /** 16 MiB and 1024 samples per record. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(16 << 20, 1024);

    public DecodeLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, got " + maxSamples);
        }
    }
}
