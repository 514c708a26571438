package io.varshift.core.codec;

/**
 * Decodes one record value into float samples of a fixed sample shape. Implementations are stateless
 * and thread-safe; the {@link DecodeTarget} is the caller's and must not be shared between threads.
 */
public interface RecordDecoder {

    /**
     * Decodes {@code value} into {@code target}. Never throws for any byte sequence (including
     * {@code null}): every failure is a {@link DecodeResult#rejected rejection} with a reason.
     * After a rejection the target holds no samples.
     */
    DecodeResult decode(byte[] value, DecodeTarget target);

    /** The content type this decoder reads, one of the {@link TrafficHeaders} content types. */
    String contentType();
}
